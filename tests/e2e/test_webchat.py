"""The web chat widget in a real headless Chromium, against the real Rasa and action servers.

The demo page server (``webchat.serve``) runs on a free port with its widget pointed at
the test Rasa server; Playwright drives Debian's Chromium (``make browsers``). Nothing is
faked: messages go through Rasa's socket.io channel and our action server.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.servers import ROOT, Servers, serve

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
QUESTION = "con mới sinh làm giấy gì"
FOLLOW_UP = "còn lệ phí thì sao?"
FEES_ANSWER = "💰 Lệ phí"  # the start of the fees answer (the overview has "• Lệ phí")
# A reply needs Rasa and the action server; the first one also warms the model up.
REPLY_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def webchat_url(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo page, served by ``python -m webchat.serve`` and talking to the test Rasa
    (on the port whose origin Rasa allows by default)."""
    port = servers.webchat_port
    with serve([str(ROOT / ".venv/bin/python"), "-m", "webchat.serve", "--host", "127.0.0.1",
                "--port", str(port), "--server-url", servers.rasa_url],
               env={**os.environ, "PYTHONPATH": str(ROOT)},
               log_path=tmp_path_factory.mktemp("webchat") / "webchat.log",
               health_url=f"http://127.0.0.1:{port}/health", timeout=30):
        yield f"http://127.0.0.1:{port}/"


class Chat:
    """The demo page in a phone-sized browser context, with helpers to use the widget."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.context = context
        self.page: Page = context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._on_dialog)
        self.page.goto(url)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def panel(self):
        return self.page.locator(".panel")

    def open(self) -> None:
        """Open the panel with the launcher and wait until Rasa confirmed the session."""
        self.page.get_by_role("button", name="Mở khung hỏi đáp thủ tục hành chính").click()
        expect(self.panel).to_be_visible()
        self.wait_online()

    def wait_online(self) -> None:
        expect(self.page.locator(".status")).to_have_text("Sẵn sàng trả lời", timeout=REPLY_TIMEOUT)

    def ask(self, text: str) -> None:
        box = self.page.get_by_label("Câu hỏi của bạn")
        box.fill(text)
        box.press("Enter")

    def bot_bubble(self, text: str):
        return self.page.locator(".from-bot .bubble").filter(has_text=text)

    def user_bubbles(self):
        return self.page.locator(".from-user .bubble")

    def wait_answered(self) -> None:
        """Wait until every sent message has been answered (Rasa acknowledged the turn)."""
        self.page.wait_for_function(
            "() => { const s = JSON.parse(localStorage.getItem(Object.keys(localStorage)"
            ".find((k) => k.startsWith('tthc-chat:')))); return s.outbox.length === 0; }",
            timeout=REPLY_TIMEOUT)
        expect(self.page.locator(".typing")).to_be_hidden(timeout=REPLY_TIMEOUT)

    def session_id(self) -> str:
        return self.page.evaluate(
            "() => JSON.parse(localStorage.getItem(Object.keys(localStorage)"
            ".find((k) => k.startsWith('tthc-chat:')))).sessionId")


@pytest.fixture
def chat(browser: Browser, webchat_url: str) -> Iterator[Chat]:
    """A fresh browser context (empty storage) on the demo page, 360 px wide."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    chat = Chat(context, webchat_url)
    yield chat
    context.close()
    assert chat.errors == [], f"JavaScript errors on the page: {chat.errors}"


def user_messages(servers: Servers, session_id: str) -> list[str]:
    """What Rasa received from this conversation, in order."""
    return [e["text"] for e in servers.tracker(session_id)["events"] if e["event"] == "user"]


def test_question_shows_a_procedure_card(chat: Chat, servers: Servers) -> None:
    chat.open()
    chat.ask(QUESTION)
    expect(chat.user_bubbles().last).to_have_text(QUESTION)
    card = chat.page.locator(".card")
    expect(card).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(card.locator(".card-name")).to_have_text("Thủ tục đăng ký khai sinh")
    expect(card).to_contain_text("Cấp xã")
    expect(card).to_contain_text("Nộp online, đến nhận kết quả")
    link = card.get_by_role("link", name="Xem trên Cổng Dịch vụ công")
    expect(link).to_have_attribute("href", re.compile(r"^https://dichvucong\.gov\.vn/"))
    expect(link).to_have_attribute("target", "_blank")
    expect(chat.bot_bubble("Thời hạn")).to_have_count(1)
    chat.wait_answered()
    expect(chat.page.locator(".quick-reply")).to_contain_text(
        ["Giấy tờ", "Lệ phí", "Nộp ở đâu", "Làm online", "Hỏi thủ tục khác"])
    assert user_messages(servers, chat.session_id()) == [QUESTION]


def test_quick_reply_button_sends_its_payload(chat: Chat, servers: Servers) -> None:
    chat.open()
    chat.ask(QUESTION)
    chat.wait_answered()
    chat.page.locator(".quick-reply", has_text="Giấy tờ").click()
    expect(chat.user_bubbles().last).to_contain_text("Giấy tờ")
    expect(chat.bot_bubble("Giấy tờ cho")).to_have_count(1, timeout=REPLY_TIMEOUT)
    chat.wait_answered()
    # Same procedure: no second card. New buttons replace the old ones.
    expect(chat.page.locator(".card")).to_have_count(1)
    expect(chat.page.locator(".quick-replies")).to_have_count(1)
    expect(chat.page.locator(".quick-reply", has_text="Giấy tờ")).to_have_count(0)
    assert user_messages(servers, chat.session_id()) == [QUESTION, "/ask_documents"]


def test_reload_keeps_history_and_conversation(chat: Chat, servers: Servers) -> None:
    chat.open()
    chat.ask(QUESTION)
    chat.wait_answered()
    session = chat.session_id()
    rendered = chat.page.locator(".log > *").count()

    chat.page.reload()
    expect(chat.panel).to_be_visible()  # it stays open
    expect(chat.page.locator(".log > *")).to_have_count(rendered)
    expect(chat.user_bubbles()).to_have_text([QUESTION])
    expect(chat.page.locator(".card-name")).to_have_text("Thủ tục đăng ký khai sinh")
    assert chat.session_id() == session

    # The conversation goes on where it was: Rasa still knows the procedure.
    chat.wait_online()
    chat.ask(FOLLOW_UP)
    expect(chat.bot_bubble(FEES_ANSWER)).to_have_count(1, timeout=REPLY_TIMEOUT)
    assert user_messages(servers, session) == [QUESTION, FOLLOW_UP]


def test_dropped_connection_shows_and_recovers(chat: Chat, servers: Servers) -> None:
    chat.open()
    chat.ask(QUESTION)
    chat.wait_answered()
    session = chat.session_id()

    chat.context.set_offline(True)
    banner = chat.page.locator(".banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Mất kết nối")
    expect(chat.page.locator(".status")).to_have_text("Mất kết nối")
    # Never hides itself: the panel and its input stay usable while offline.
    expect(chat.panel).to_be_visible()
    chat.ask(FOLLOW_UP)
    pending = chat.page.locator(".msg.is-pending")
    expect(pending).to_have_count(1)
    expect(pending.locator(".pending-label")).to_have_text("Chờ gửi")
    chat.page.wait_for_timeout(1000)
    assert user_messages(servers, session) == [QUESTION], "sent while offline?"

    # Closed while offline, the launcher is there with its offline mark.
    chat.page.get_by_role("button", name="Thu nhỏ khung hỏi đáp").click()
    launcher = chat.page.get_by_role("button", name="Mở khung hỏi đáp thủ tục hành chính")
    expect(launcher).to_be_visible()
    expect(launcher.locator(".offline-dot")).to_be_visible()
    launcher.click()

    chat.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=REPLY_TIMEOUT)
    expect(chat.page.locator(".status")).to_have_text("Sẵn sàng trả lời")
    expect(chat.bot_bubble(FEES_ANSWER)).to_have_count(1, timeout=REPLY_TIMEOUT)
    expect(pending).to_have_count(0)
    chat.wait_answered()
    assert user_messages(servers, session) == [QUESTION, FOLLOW_UP]  # delivered once


def test_html_is_shown_as_text_both_ways(chat: Chat, servers: Servers) -> None:
    attack = "<img src=x onerror=alert(1)>"
    chat.open()
    chat.ask(attack)
    expect(chat.user_bubbles().last).to_have_text(attack)
    chat.wait_answered()
    session = chat.session_id()
    assert user_messages(servers, session) == [attack]

    # From the bot's side: push messages into this conversation through Rasa's HTTP API,
    # delivered to the widget by the socket.io channel like any answer.
    bot_text = "<b>đậm</b><img src=x onerror=alert(2)> xem https://dichvucong.gov.vn/x."
    card = {"code": "X-1", "name": "<script>alert(3)</script>", "level": "tinh",
            "online_level": "toan_trinh", "portal_url": "javascript:alert(4)"}
    response = requests.post(
        f"{servers.rasa_url}/conversations/{session}/tracker/events",
        params={"output_channel": "socketio", "execute_side_effects": "true"},
        json=[{"event": "bot", "text": bot_text, "data": {}},
              {"event": "bot", "data": {"custom": {"procedure": card, "aspect": "overview"}}}],
        timeout=10,
    )
    response.raise_for_status()

    for _ in range(2):  # as received, then as restored from storage after a reload
        bubble = chat.bot_bubble("<b>đậm</b>")
        expect(bubble).to_have_count(1, timeout=REPLY_TIMEOUT)
        expect(bubble).to_have_text(bot_text)
        expect(bubble.locator("a")).to_have_attribute("href", "https://dichvucong.gov.vn/x")
        expect(chat.page.locator(".card-name")).to_have_text("<script>alert(3)</script>")
        expect(chat.page.locator(".card a")).to_have_count(0)  # a javascript: link is dropped
        expect(chat.user_bubbles()).to_have_text([attack])
        expect(chat.page.locator(".log img, .log b, .log script")).to_have_count(0)
        chat.page.wait_for_timeout(300)
        assert chat.dialogs == []
        chat.page.reload()


def test_phone_layout_and_keyboard(chat: Chat) -> None:
    chat.page.emulate_media(reduced_motion="reduce")
    chat.open()
    expect(chat.page.get_by_label("Câu hỏi của bạn")).to_be_focused()
    chat.ask(QUESTION)
    expect(chat.page.locator(".card")).to_have_count(1, timeout=REPLY_TIMEOUT)
    chat.wait_answered()

    overflow = chat.page.evaluate("""() => {
        const shadow = document.getElementById('tthc-chat').shadowRoot;
        const scroller = shadow.querySelector('.scroller');
        const outside = [...shadow.querySelectorAll('.panel *')]
            .filter((e) => { const r = e.getBoundingClientRect();
                             return r.width > 0 && (r.left < -0.5 || r.right > innerWidth + 0.5); })
            .map((e) => e.className);
        return {page: document.documentElement.scrollWidth, outside,
                scroller: scroller.scrollWidth - scroller.clientWidth};
    }""")
    assert overflow == {"page": PHONE["width"], "outside": [], "scroller": 0}
    box = chat.panel.bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == PHONE["width"]

    targets = chat.page.locator(".quick-reply, .send, .close, .card-link")
    assert targets.count() >= 8
    for i in range(targets.count()):
        target_box = targets.nth(i).bounding_box()
        assert target_box is not None and target_box["height"] >= 44, targets.nth(i).inner_text()
    assert chat.page.locator(".dot").first.evaluate(
        "(e) => getComputedStyle(e).animationName") == "none"  # prefers-reduced-motion

    # Keyboard: Escape closes and gives focus back to the launcher; Enter opens again.
    chat.page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    launcher = chat.page.get_by_role("button", name="Mở khung hỏi đáp thủ tục hành chính")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher_box = launcher.bounding_box()
    assert launcher_box is not None and launcher_box["height"] >= 44
    chat.page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    # On a phone the full-screen panel covers the launcher, hence the CSS locator.
    expect(chat.page.locator(".launcher")).to_have_attribute("aria-expanded", "true")
    expect(chat.page.get_by_label("Câu hỏi của bạn")).to_be_focused()


def test_the_checklist_card_shows_with_a_download_link(chat: Chat) -> None:
    chat.open()
    chat.ask("gửi danh sách giấy tờ làm khai sinh")
    photo = chat.page.locator(".photo img").first
    expect(photo).to_be_visible(timeout=REPLY_TIMEOUT)
    src = photo.get_attribute("src") or ""
    assert "/webhooks/cards/" in src
    # The image loaded and fits the 360 px screen.
    chat.page.wait_for_function("(img) => img.complete && img.naturalWidth === 720", arg=photo.element_handle())
    box = photo.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    link = chat.page.locator(".photo-download").first
    expect(link).to_have_attribute("href", src)
    expect(link).to_have_text("Tải ảnh về máy")
    assert requests.get(src, timeout=10).headers["content-type"] == "image/png"
