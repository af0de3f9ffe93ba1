// push-hub demo client. Plain browser JavaScript on the Socket.IO SDK the hub serves; every
// piece of message data is rendered with textContent, so HTML in a message shows as text.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const el = {
    connState: $("conn-state"),
    connectForm: $("connect-form"),
    apiKey: $("api-key"),
    uid: $("uid"),
    connectBtn: $("connect-btn"),
    disconnectBtn: $("disconnect-btn"),
    sendForm: $("send-form"),
    toUid: $("to-uid"),
    msg: $("msg"),
    sendBtn: $("send-btn"),
    sendResult: $("send-result"),
    readAllBtn: $("read-all-btn"),
    clearBtn: $("clear-btn"),
    counts: $("counts"),
    empty: $("empty"),
    list: $("messages"),
    log: $("log"),
  };

  /** id → { data, status, node } — the client dedupes redeliveries by id. */
  const messages = new Map();
  let socket = null;

  function node(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = String(text);
    return n;
  }

  function log(text, level) {
    const li = node("li", level ? "lvl-" + level : "");
    li.append(node("span", "log-time", new Date().toLocaleTimeString()), document.createTextNode(text));
    el.log.prepend(li);
    while (el.log.childElementCount > 200) el.log.lastElementChild.remove();
  }

  function setConn(state, text) {
    el.connState.className = "pill pill-" + state;
    el.connState.textContent = text;
    const busy = state === "wait" || state === "on";
    el.connectBtn.disabled = busy;
    el.disconnectBtn.disabled = !busy;
    el.uid.disabled = busy;
    el.apiKey.disabled = busy;
  }

  function apiHeaders() {
    return { "Content-Type": "application/json", Authorization: "Bearer " + el.apiKey.value.trim() };
  }

  async function api(method, path, body) {
    const res = await fetch(path, { method, headers: apiHeaders(), body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: reported below through the status
    }
    if (!res.ok) {
      const reason = json && json.error ? json.error.message + " (" + json.error.code + ")" : "HTTP " + res.status;
      throw new Error(reason);
    }
    return json;
  }

  function formatMsg(msg) {
    return typeof msg === "string" ? msg : JSON.stringify(msg, null, 2);
  }

  function updateCounts() {
    let unread = 0;
    for (const m of messages.values()) if (m.status !== "read") unread++;
    el.counts.textContent = messages.size ? "· " + messages.size + " total, " + unread + " unread" : "";
    el.empty.hidden = messages.size > 0;
    el.readAllBtn.disabled = !socket || !socket.connected || unread === 0;
  }

  function setStatus(entry, status) {
    entry.status = status;
    entry.node.className = "message status-" + status;
    entry.node.dataset.status = status;
    entry.badge.className = "badge badge-" + status;
    entry.badge.textContent = status;
    entry.readBtn.disabled = status === "read";
    updateCounts();
  }

  function render(data) {
    const li = node("li", "message");
    li.dataset.id = String(data.id);
    const head = node("div", "message-head");
    const badge = node("span", "badge");
    const attempt = node("span", "message-attempt");
    const readBtn = node("button", "btn btn-small mark-read", "Mark read");
    readBtn.type = "button";
    readBtn.addEventListener("click", () => markRead([String(data.id)]));
    head.append(
      node("span", "message-id", "#" + data.id),
      badge,
      node("span", "", "type " + data.type + " · client " + data.clientType),
      attempt,
      node("span", "spacer"),
      node("time", "", new Date(data.createdAt).toLocaleString()),
      readBtn,
    );
    const body = node("pre", "message-body", formatMsg(data.msg));
    li.append(head, body);
    return { li, badge, attempt, readBtn };
  }

  function onMessage(data, ack) {
    if (!data || data.id === undefined) {
      if (typeof ack === "function") ack();
      return;
    }
    const id = String(data.id);
    let entry = messages.get(id);
    if (!entry) {
      const parts = render(data);
      entry = { data, status: "received", node: parts.li, badge: parts.badge, attempt: parts.attempt, readBtn: parts.readBtn };
      messages.set(id, entry);
      el.list.prepend(parts.li);
      setStatus(entry, "received");
      log("message #" + id + " arrived");
    } else {
      log("message #" + id + " redelivered (already shown)");
    }
    const attempt = Number(data.attempt) || 1;
    entry.attempt.textContent = attempt > 1 ? "attempt " + attempt : "";
    // Acking tells the hub it arrived; the first ack from any of this uid's connections makes it delivered.
    if (typeof ack === "function") ack();
    if (entry.status === "received") setStatus(entry, "delivered");
  }

  function markRead(ids) {
    if (!socket || !socket.connected || ids.length === 0) return;
    socket.timeout(5000).emit("read", { ids }, (err, res) => {
      if (err) return log("read: no answer from the hub", "err");
      if (res && res.error) return log("read failed: " + (res.error.message || res.error), "err");
      for (const id of ids) {
        const entry = messages.get(id);
        if (entry) setStatus(entry, "read");
      }
      log("marked " + ids.length + " read · hub updated " + (res ? res.updated : 0), "ok");
    });
  }

  async function connect(event) {
    event.preventDefault();
    const uid = el.uid.value.trim();
    if (!uid) return;
    setConn("wait", "Connecting…");
    let token;
    try {
      token = (await api("POST", "/api/dev/token", { uid })).token;
    } catch (err) {
      setConn("err", "Token refused");
      log("dev token: " + err.message, "err");
      return;
    }
    if (typeof io !== "function") {
      setConn("err", "SDK missing");
      log("the Socket.IO SDK (/socket.io/socket.io.js) did not load", "err");
      return;
    }
    socket = io({ auth: { token } });
    socket.on("connect", () => {
      setConn("on", "Connected as " + uid);
      log("connected as " + uid + " (" + socket.io.engine.transport.name + ")", "ok");
      if (!el.toUid.value.trim()) el.toUid.placeholder = uid;
      updateCounts();
    });
    socket.on("disconnect", (reason) => {
      // Only a server-side disconnect is final; the SDK reconnects after anything else.
      if (reason === "io server disconnect") disconnect();
      else if (socket) setConn("wait", "Reconnecting…");
      log("disconnected: " + reason, "err");
      updateCounts();
    });
    socket.on("connect_error", (err) => {
      const unauthorized = err && err.message === "unauthorized";
      setConn(unauthorized ? "err" : "wait", unauthorized ? "Unauthorized" : "Retrying…");
      log("connect error: " + (err ? err.message : "unknown"), "err");
      if (unauthorized) disconnect();
    });
    socket.on("message", onMessage);
    socket.io.engine.on("upgrade", (transport) => log("transport upgraded to " + transport.name));
  }

  function disconnect() {
    if (socket) {
      const s = socket;
      socket = null;
      s.disconnect();
    }
    setConn("off", "Disconnected");
    updateCounts();
  }

  async function send(event) {
    event.preventDefault();
    const to = el.toUid.value.trim() || el.uid.value.trim();
    if (!to) {
      el.sendResult.className = "result err";
      el.sendResult.textContent = "Enter a uid to send to";
      return;
    }
    const raw = el.msg.value;
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      msg = raw;
    }
    el.sendBtn.disabled = true;
    try {
      const res = await api("POST", "/api/messages", { uid: to, msg });
      el.sendResult.className = "result ok";
      el.sendResult.textContent = "Queued #" + res.id + " for " + to;
      log("sent #" + res.id + " to " + to + " (" + res.status + ")", "ok");
    } catch (err) {
      el.sendResult.className = "result err";
      el.sendResult.textContent = err.message;
      log("send failed: " + err.message, "err");
    } finally {
      el.sendBtn.disabled = false;
    }
  }

  el.connectForm.addEventListener("submit", connect);
  el.disconnectBtn.addEventListener("click", () => {
    log("disconnected by you");
    disconnect();
  });
  el.sendForm.addEventListener("submit", send);
  el.readAllBtn.addEventListener("click", () => {
    const ids = [];
    for (const [id, m] of messages) if (m.status !== "read") ids.push(id);
    markRead(ids);
  });
  el.clearBtn.addEventListener("click", () => {
    messages.clear();
    el.list.replaceChildren();
    updateCounts();
  });
  setConn("off", "Disconnected");
  updateCounts();
})();
