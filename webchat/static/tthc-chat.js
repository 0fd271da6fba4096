/*!
 * tthc-chat.js — web chat widget of the Tiền Giang public-service assistant.
 *
 * One script tag adds it to any page (see docs/webchat.md):
 *   <script src="https://chat.example.gov.vn/tthc-chat.js"
 *           data-server-url="https://bot.example.gov.vn" defer></script>
 *
 * It talks to Rasa's socket.io channel (bot/channels/webchat.py), loads the vendored
 * socket.io client and its stylesheet from next to itself, and lives in a shadow root so
 * the host page's CSS cannot break it (nor it the page). Text from the user or the bot
 * only ever reaches the page through textContent / text nodes, never as HTML.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  // Needs a classic <script> (currentScript is null in modules); load only once per page.
  if (!script || window.__tthcChatLoaded) return;
  window.__tthcChatLoaded = true;

  const assetBase = new URL(".", script.src);
  const config = {
    // Without the attribute, talk to the page's own origin (Rasa behind the same proxy).
    serverUrl: (script.dataset.serverUrl || location.origin).replace(/\/+$/, ""),
    socketPath: script.dataset.socketPath || "/socket.io/",
    title: script.dataset.title || "Hỏi đáp thủ tục hành chính",
    startOpen: script.dataset.open === "true",
  };

  const T = {
    launcher: "Hỏi thủ tục",
    launcherLabel: "Mở khung hỏi đáp thủ tục hành chính",
    close: "Thu nhỏ khung hỏi đáp",
    log: "Cuộc trò chuyện",
    input: "Câu hỏi của bạn",
    placeholder: "Gõ câu hỏi của bạn…",
    send: "Gửi",
    pending: "Chờ gửi",
    typing: "Trợ lý đang trả lời…",
    suggestions: "Gợi ý câu hỏi",
    status: { connecting: "Đang kết nối…", online: "Sẵn sàng trả lời", offline: "Mất kết nối" },
    offline: "Mất kết nối mạng, đang thử kết nối lại… Bạn cứ gõ, tin nhắn sẽ tự gửi khi có mạng.",
    welcome:
      "Xin chào! Mình giúp bạn tìm hiểu thủ tục hành chính: cần giấy tờ gì, lệ phí bao nhiêu, " +
      "nộp ở đâu, làm online được không. Bạn cần làm việc gì?",
    cardKicker: "Thủ tục hành chính",
    cardLevel: "Nơi giải quyết",
    cardOnline: "Làm online",
    cardLink: "Xem trên Cổng Dịch vụ công",
    photoAlt: "Danh sách giấy tờ cần mang theo",
    photoDownload: "Tải ảnh về máy",
  };
  const WELCOME_BUTTONS = [
    { title: "👶 Làm giấy khai sinh", payload: "làm giấy khai sinh cho con" },
    { title: "🏠 Sang tên sổ đỏ", payload: "sang tên sổ đỏ" },
    { title: "☎ Gặp cán bộ", payload: "/human_handoff" },
  ];
  const LEVELS = { tinh: "Cấp tỉnh", huyen: "Cấp huyện", xa: "Cấp xã" };
  const ONLINE = {
    toan_trinh: "Làm online toàn bộ",
    mot_phan: "Nộp online, đến nhận kết quả",
    thong_tin: "Chỉ xem hướng dẫn online, nộp trực tiếp",
  };

  const MAX_HISTORY = 100; // messages kept for reloads: enough context, small storage
  const ACK_TIMEOUT_MS = 60000; // Rasa acknowledges a message once its whole turn is done
  // The server issues conversation ids (bot/channels/webchat.py): signed, unguessable.
  const SESSION_ID = /^wc-[0-9a-f]{32}-[0-9a-f]{20}$/;
  const STORE_KEY = "tthc-chat:v1:" + config.serverUrl;

  // ---------------------------------------------------------------- storage
  // localStorage may be disabled or full: the chat then still works for this page.
  function loadStore() {
    try {
      const data = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
      return data && typeof data === "object" ? data : {};
    } catch {
      return {};
    }
  }
  function saveStore() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({
        sessionId, open: isOpen, history: history.slice(-MAX_HISTORY), outbox,
      }));
    } catch {
      /* storage unavailable: nothing to do */
    }
  }
  function randomId(bytes) {
    // getRandomValues works on plain-http pages too (randomUUID needs a secure context).
    return Array.from(crypto.getRandomValues(new Uint8Array(bytes)),
      (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const saved = loadStore();
  // No id yet: the server issues one with its session_confirm.
  let sessionId = SESSION_ID.test(saved.sessionId || "") ? saved.sessionId : "";
  // history: [{id, from: "user"|"bot", text?, buttons?, card?}]; outbox: [{id, message}],
  // the user's messages Rasa has not acknowledged yet (re-sent after a reconnect/reload).
  let history = Array.isArray(saved.history) ? saved.history.slice(-MAX_HISTORY) : [];
  let outbox = Array.isArray(saved.outbox) ? saved.outbox : [];
  let isOpen = typeof saved.open === "boolean" ? saved.open : config.startOpen;

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    node.append(...children); // strings become text nodes: never parsed as HTML
    return node;
  }

  function safeUrl(value) {
    try {
      const url = new URL(String(value));
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  const URL_IN_TEXT = /https?:\/\/[^\s<>"'“”]+/g;
  // Bot text with its web addresses made clickable (the portal links matter to users).
  function textWithLinks(text) {
    const out = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(URL_IN_TEXT)) {
      const raw = match[0].replace(/[.,;:!?)\]]+$/, ""); // sentence punctuation is not URL
      const href = safeUrl(raw);
      out.append(text.slice(last, match.index));
      out.append(href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, raw) : raw);
      last = match.index + raw.length;
    }
    out.append(text.slice(last));
    return out;
  }

  // ---------------------------------------------------------------- the widget
  const host = el("div", { id: "tthc-chat" });
  const shadow = host.attachShadow({ mode: "open" });
  const stylesheet = el("link", { rel: "stylesheet", href: new URL("tthc-chat.css", assetBase).href });
  const root = el("div", { class: "root", lang: "vi" });
  root.hidden = true; // until the stylesheet is in, so the page never flashes raw markup
  const reveal = () => { root.hidden = false; };
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);

  const launcher = el("button", {
    type: "button", class: "launcher", "aria-controls": "tthc-panel", "aria-expanded": "false",
    "aria-label": T.launcherLabel,
  }, el("span", { class: "launcher-icon", "aria-hidden": "true" }, "💬"), T.launcher);
  const offlineDot = el("span", { class: "offline-dot", "aria-hidden": "true" });
  offlineDot.hidden = true;
  launcher.append(offlineDot);

  const statusLine = el("p", { class: "status" }, T.status.connecting);
  const closeButton = el("button", { type: "button", class: "close", "aria-label": T.close }, "✕");
  const banner = el("div", { class: "banner", role: "status" });
  const log = el("div", { class: "log", role: "log", "aria-label": T.log });
  const typing = el("div", { class: "typing" },
    el("span", { class: "dot" }), el("span", { class: "dot" }), el("span", { class: "dot" }),
    el("span", { class: "visually-hidden" }, T.typing));
  typing.hidden = true;
  const scroller = el("div", { class: "scroller", tabindex: "0", "aria-label": T.log }, log, typing);
  const input = el("input", {
    type: "text", class: "input", "aria-label": T.input, placeholder: T.placeholder,
    maxlength: "500", autocomplete: "off", enterkeyhint: "send",
  });
  const form = el("form", { class: "composer" }, input,
    el("button", { type: "submit", class: "send" }, T.send));
  const panel = el("section", { class: "panel", id: "tthc-panel", "aria-label": config.title },
    el("header", { class: "header" },
      el("div", { class: "titles" }, el("h2", { class: "title" }, config.title), statusLine),
      closeButton),
    banner, scroller, form);
  panel.hidden = true;
  root.append(panel, launcher);
  shadow.append(stylesheet, root);

  // ---------------------------------------------------------------- rendering
  const nodes = new Map(); // history id -> rendered node (to mark pending messages)

  function cardNode(card) {
    const rows = el("dl", { class: "card-facts" });
    if (LEVELS[card.level]) rows.append(el("dt", {}, T.cardLevel), el("dd", {}, LEVELS[card.level]));
    if (ONLINE[card.online_level]) {
      rows.append(el("dt", {}, T.cardOnline), el("dd", {}, ONLINE[card.online_level]));
    }
    const node = el("article", { class: "card" },
      el("p", { class: "card-kicker" }, T.cardKicker),
      el("h3", { class: "card-name", title: card.name }, card.name), // clamped: full name on hover
      rows);
    const href = safeUrl(card.portal_url);
    if (href) {
      node.append(el("a", { class: "card-link", href, target: "_blank", rel: "noopener noreferrer" },
        T.cardLink, el("span", { "aria-hidden": "true" }, " ↗")));
    }
    return node;
  }

  // An image the bot sent (the checklist card): shown, with a link to keep it.
  function photoNode(photo) {
    const node = el("figure", { class: "photo" });
    const href = safeUrl(photo.src);
    if (href) {
      node.append(el("img", { src: href, alt: T.photoAlt, loading: "lazy" }),
        el("a", { class: "card-link photo-download", href, download: "", target: "_blank",
          rel: "noopener noreferrer" }, T.photoDownload));
    }
    return node;
  }

  function entryNode(entry) {
    if (entry.card) return cardNode(entry.card);
    if (entry.photo) return photoNode(entry.photo);
    const bubble = el("div", { class: "bubble" },
      entry.from === "bot" ? textWithLinks(entry.text) : entry.text);
    const node = el("div", { class: `msg from-${entry.from}` }, bubble);
    if (entry.from === "user") node.append(el("span", { class: "pending-label" }, T.pending));
    if (entry.buttons && entry.buttons.length) {
      const group = el("div", { class: "quick-replies", role: "group", "aria-label": T.suggestions });
      for (const button of entry.buttons) {
        const b = el("button", { type: "button", class: "quick-reply" }, button.title);
        b.addEventListener("click", () => send(button.title, button.payload));
        group.append(b);
      }
      node.append(group);
    }
    return node;
  }

  function render(entry) {
    const node = entryNode(entry);
    nodes.set(entry.id, node);
    log.append(node);
  }

  function scrollDown() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function addEntry(entry) {
    entry.id = randomId(6);
    history.push(entry);
    history = history.slice(-MAX_HISTORY);
    render(entry);
    scrollDown();
    return entry;
  }

  // Only the newest set of buttons answers the current question: drop the older ones.
  function clearQuickReplies() {
    for (const entry of history) delete entry.buttons;
    for (const group of log.querySelectorAll(".quick-replies")) group.remove();
  }

  // ---------------------------------------------------------------- connection state
  let socket = null;
  let ready = false; // connected and Rasa confirmed our session: messages can go
  const inFlight = new Map(); // outbox id -> attempt token, while Rasa has not acked

  function setState(state) {
    statusLine.textContent = T.status[state];
    root.dataset.connection = state;
    banner.textContent = state === "offline" ? T.offline : "";
    banner.hidden = state !== "offline";
    offlineDot.hidden = state !== "offline";
    refreshPending();
  }

  // A message shows "Chờ gửi" while it waits for the connection (not while Rasa answers).
  function refreshPending() {
    const waiting = new Set(outbox.map((item) => item.id));
    for (const [id, node] of nodes) node.classList.toggle("is-pending", waiting.has(id) && !ready);
    typing.hidden = inFlight.size === 0;
  }

  function flush() {
    if (!ready) return;
    for (const item of outbox) {
      if (inFlight.has(item.id)) continue;
      const token = {};
      inFlight.set(item.id, token);
      socket.timeout(ACK_TIMEOUT_MS).emit(
        "user_uttered", { message: item.message, session_id: sessionId },
        (error) => {
          if (inFlight.get(item.id) !== token) return; // superseded by a resend
          inFlight.delete(item.id);
          // On a timeout or a dropped connection it stays queued for the next reconnect.
          if (!error) outbox = outbox.filter((queued) => queued.id !== item.id);
          saveStore();
          refreshPending();
        });
    }
    refreshPending();
    scrollDown();
  }

  function send(text, payload = text) {
    text = text.trim();
    if (!text) return;
    clearQuickReplies();
    const entry = addEntry({ from: "user", text });
    outbox.push({ id: entry.id, message: payload.trim() });
    saveStore();
    refreshPending();
    flush();
  }

  function lastCardCode() {
    for (let i = history.length - 1; i >= 0; i--) if (history[i].card) return history[i].card.code;
    return null;
  }

  function receive(message) {
    if (!message || typeof message !== "object") return;
    const p = message.procedure;
    if (p && typeof p === "object") {
      // Every answer carries its procedure; show the card when the procedure changes,
      // not again for each follow-up question about the same one.
      if (String(p.code) !== lastCardCode()) {
        addEntry({ from: "bot", card: {
          code: String(p.code), name: String(p.name || ""), level: String(p.level || ""),
          online_level: String(p.online_level || ""), portal_url: String(p.portal_url || ""),
        } });
      }
    } else if (message.attachment && message.attachment.type === "image" && message.attachment.payload) {
      addEntry({ from: "bot", photo: { src: String(message.attachment.payload.src || "") } });
    } else if (typeof message.text === "string" && message.text.trim()) {
      const buttons = (Array.isArray(message.quick_replies) ? message.quick_replies : [])
        .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
        .map((b) => ({ title: b.title, payload: b.payload }));
      if (buttons.length) clearQuickReplies();
      addEntry({ from: "bot", text: message.text, buttons });
    }
    // {"choices"}, {"handoff"}: the text message that follows says the same for people.
    saveStore();
  }

  function connect(io) {
    socket = io(config.serverUrl, {
      path: config.socketPath,
      // Come back quickly after a drop: a citizen waits, and the server is ours.
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    socket.on("connect", () => {
      // Every (re)connection is a new socket: join our conversation's room again.
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", (confirmed) => {
      if (typeof confirmed === "string" && confirmed !== sessionId) {
        sessionId = confirmed; // the server refused our id and started a new conversation
        saveStore();
      }
      ready = true;
      setState("online");
      flush();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", (reason) => {
      ready = false;
      inFlight.clear(); // their acks will never come: resend after the reconnect
      setState("offline");
      // socket.io retries by itself, except when the server closed the connection.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => setState("offline"));
  }

  // The browser knows about a lost network before the socket's heartbeat times out.
  window.addEventListener("offline", () => {
    if (!socket) return;
    setState("offline");
    if (socket.io.engine) socket.io.engine.close(); // socket.io then reconnects with backoff
  });
  window.addEventListener("online", () => {
    if (socket && !socket.connected) socket.connect();
  });

  // The vendored client sets window.io; put back whatever the host page had there.
  function loadSocketIo() {
    return new Promise((resolve, reject) => {
      const hadIo = "io" in window;
      const pageIo = window.io;
      const tag = el("script", { src: new URL("vendor/socket.io.min.js", assetBase).href });
      tag.async = true;
      tag.addEventListener("load", () => {
        const io = window.io;
        if (hadIo) window.io = pageIo;
        else delete window.io;
        if (typeof io === "function") resolve(io);
        else reject(new Error("socket.io client did not define io()"));
      });
      tag.addEventListener("error", () => reject(new Error("socket.io client did not load")));
      document.head.append(tag);
    });
  }

  // ---------------------------------------------------------------- open / close, input
  function setOpen(open, { focus = true } = {}) {
    isOpen = open;
    panel.hidden = !open;
    root.classList.toggle("is-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    saveStore();
    if (open) {
      scrollDown();
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(!isOpen));
  closeButton.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value);
    input.value = "";
  });

  // On phones the on-screen keyboard shrinks the visual viewport but not the layout one:
  // size the full-screen panel to what is visible so the input stays above the keyboard.
  if (window.visualViewport) {
    const fit = () => {
      root.style.setProperty("--vv-height", `${window.visualViewport.height}px`);
      root.style.setProperty("--vv-top", `${window.visualViewport.offsetTop}px`);
    };
    window.visualViewport.addEventListener("resize", fit);
    window.visualViewport.addEventListener("scroll", fit);
    fit();
  }

  // ---------------------------------------------------------------- start
  function start() {
    document.body.append(host);
    if (history.length === 0) {
      addEntry({ from: "bot", text: T.welcome, buttons: WELCOME_BUTTONS });
    } else {
      for (const entry of history) render(entry);
    }
    setState("connecting");
    setOpen(isOpen, { focus: false });
    loadSocketIo().then(connect, (error) => {
      console.error("tthc-chat:", error);
      setState("offline");
    });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
