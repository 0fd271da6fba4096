"""Citizen-facing answers about a dossier's status: short, plain Vietnamese.

Built only from what the source said; never the applicant's name, ID number or address
(the :class:`~procedures_catalog.dossier.record.Dossier` record does not hold them).
The code is shown partly hidden (``H56.22-240315-**01``): bot messages are stored in
the conversation's tracker, and the full code must not be.
Every status answer carries the ``{"dossier": {...}}`` payload.
"""

from __future__ import annotations

from datetime import date

from ..answers import OTHER_BUTTON, Reply, split_message
from .codes import display
from .record import Dossier

DEMO_NOTE = "🧪 Đây là dữ liệu mẫu để thử, không phải hồ sơ thật."
PORTAL_STEPS = (
    "Bạn tra trên dichvucong.gov.vn: bấm “Tra cứu hồ sơ”, nhập mã hồ sơ {code} "
    "(in trên giấy biên nhận), rồi bấm “Tra cứu”."
)
STATUS_WORDS = {
    "received": "đã tiếp nhận, đang chờ xử lý",
    "in_progress": "đang được giải quyết",
    "needs_documents": "cần bổ sung giấy tờ",
    "done": "đã có kết quả",
    "returned": "bị trả lại, không giải quyết tiếp",
    "unknown": "hệ thống chưa ghi rõ trạng thái",
}
NEXT_STEP = {
    "received": "Bạn chưa cần làm gì, chờ đến ngày hẹn trả nhé.",
    "in_progress": "Bạn chưa cần làm gì, chờ đến ngày hẹn trả nhé.",
    "done": "Bạn mang giấy biên nhận và căn cước đến nơi đã nộp để nhận kết quả "
            "(hoặc chờ bưu điện giao nếu bạn đã đăng ký).",
    "returned": "Bạn hỏi bộ phận một cửa nơi đã nộp để biết cách làm lại.",
    "unknown": "Bạn hỏi bộ phận một cửa nơi đã nộp để biết thêm.",
}
CODE_HELP = (
    "Mã hồ sơ in trên giấy biên nhận (hoặc trong tin nhắn, email báo đã nộp), "
    "ví dụ H12.34-250101-0123: mã cơ quan, ngày nộp, số thứ tự."
)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "chưa có"


def status_answer(dossier: Dossier, today: date | None = None) -> list[Reply]:
    """The status of a found dossier, what it means and what to do next."""
    today = today or date.today()
    shown = display(dossier.code)
    lines = [DEMO_NOTE] if dossier.demo else []
    lines.append(f"🗂 Hồ sơ {shown}: {STATUS_WORDS.get(dossier.status, STATUS_WORDS['unknown'])}.")
    lines.append(f"Nhận ngày {_day(dossier.received)}, hẹn trả {_day(dossier.due)}.")
    if dossier.office:
        lines.append(f"Nơi giải quyết: {dossier.office}.")
    overdue = False
    if dossier.late(today) and dossier.due:
        if dossier.status in ("done", "returned"):
            lines.append("⚠ Kết quả có chậm hơn ngày hẹn.")
        else:
            overdue = True
            days = (today - dossier.due).days
            lines.append(f"⚠ Đã quá hẹn {days} ngày. 👉 Bạn hỏi bộ phận một cửa nơi đã nộp "
                         "(mang theo giấy biên nhận), hoặc gọi đường dây nóng của tỉnh.")
    if dossier.status == "needs_documents":
        missing = "; ".join(dossier.missing) if dossier.missing else "xem giấy báo của cơ quan"
        lines.append(f"👉 Cần bổ sung giấy tờ: {missing}. Bạn mang đến nơi đã nộp hoặc nộp bổ sung "
                     "trên dichvucong.gov.vn.")
    else:
        if dossier.status == "returned" and dossier.note:
            lines.append(f"Lý do: {dossier.note}.")
        if not overdue:
            lines.append("👉 " + NEXT_STEP.get(dossier.status, NEXT_STEP["unknown"]))
    parts = split_message("\n".join(lines))
    return [Reply(custom=dossier.payload(shown, today)), *(Reply(text=t) for t in parts[:-1]),
            Reply(text=parts[-1], buttons=[OTHER_BUTTON])]


def not_found_answer(dossier: Dossier) -> list[Reply]:
    """The source does not know the code: a kind reply and how to check it."""
    shown = display(dossier.code)
    lines = [DEMO_NOTE] if dossier.demo else []
    lines.append(f"Mình chưa tìm thấy hồ sơ {shown}. Có thể mã bị gõ nhầm một chữ số, "
                 "hoặc hồ sơ vừa nộp nên chưa lên hệ thống.")
    lines.append(CODE_HELP + " Bạn kiểm tra lại rồi gửi mình nhé.")
    return [Reply(custom=dossier.payload(shown)), Reply(text="\n".join(lines), buttons=[OTHER_BUTTON])]


def portal_steps_answer(dossier: Dossier) -> list[Reply]:
    """No lookup service configured: how to look the code up on the portal."""
    shown = display(dossier.code)
    text = ("Mình chưa tra trực tiếp được hồ sơ. " + PORTAL_STEPS.format(code=shown)
            + " Màn hình sẽ báo hồ sơ đang xử lý, cần bổ sung hay đã có kết quả.")
    return [Reply(custom=dossier.payload(shown)), Reply(text=text, buttons=[OTHER_BUTTON])]


def unavailable_answer(code: str) -> list[Reply]:
    """The lookup service did not answer."""
    text = ("Hệ thống tra cứu đang bận, mình chưa xem được hồ sơ lúc này. Bạn thử lại sau ít "
            "phút nhé. " + PORTAL_STEPS.format(code=display(code)))
    return [Reply(text=text, buttons=[OTHER_BUTTON])]


def ask_code_answer() -> list[Reply]:
    """No code in the message: ask for it."""
    return [Reply(text="Bạn gửi mình mã hồ sơ để mình xem giúp nhé. " + CODE_HELP)]


def incomplete_code_answer() -> list[Reply]:
    """Only the date and number were typed: the agency part is missing."""
    return [Reply(text="Mã hồ sơ hình như còn thiếu phần đầu (mã cơ quan, ví dụ H56.22). "
                       + CODE_HELP + " Bạn gửi lại đủ mã nhé.")]


def too_many_answer(wait_seconds: float) -> list[Reply]:
    """The conversation used up its lookups for the hour."""
    minutes = max(int(wait_seconds // 60) + 1, 1)
    return [Reply(text=f"Bạn đã tra nhiều hồ sơ liền. Để bảo vệ thông tin của mọi người, bạn thử "
                       f"lại sau khoảng {minutes} phút nhé. Hoặc tra trên dichvucong.gov.vn, mục "
                       "“Tra cứu hồ sơ”.", buttons=[OTHER_BUTTON])]


FOLLOW_STOP_HINT = "Muốn dừng, bạn gõ “thôi, đừng báo nữa”."


def following_answer(code: str) -> list[Reply]:
    """The subscription is on."""
    return [Reply(text=f"🔔 Được rồi! Khi hồ sơ {display(code)} có thay đổi, mình sẽ nhắn bạn "
                       f"một tin. {FOLLOW_STOP_HINT}", buttons=[OTHER_BUTTON])]


def cannot_follow_answer(reason: str) -> list[Reply]:
    """No subscription: ``reason`` is channel, finished, none_source or too_many."""
    texts = {
        "channel": "Mình chỉ nhắn báo được qua Telegram hoặc Zalo. Ở đây, bạn cứ hỏi lại mình "
                   "bằng mã hồ sơ khi cần nhé.",
        "finished": "Hồ sơ này đã có kết quả rồi, không cần theo dõi nữa.",
        "none_source": "Mình chưa kết nối được hệ thống hồ sơ nên chưa báo tin được. "
                       + PORTAL_STEPS.format(code="của bạn"),
        "too_many": "Bạn đang theo dõi nhiều hồ sơ rồi. Gõ “thôi, đừng báo nữa” để dừng bớt nhé.",
    }
    return [Reply(text=texts.get(reason, texts["channel"]), buttons=[OTHER_BUTTON])]


def unfollow_answer(count: int) -> list[Reply]:
    """The subscriptions were stopped (``count`` of them)."""
    text = ("Dạ, mình sẽ không nhắn báo về hồ sơ nữa." if count
            else "Bạn chưa nhờ mình theo dõi hồ sơ nào.")
    return [Reply(text=text, buttons=[OTHER_BUTTON])]
