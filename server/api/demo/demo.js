// push-hub inbox demo: one uid, two devices side by side, each with its own connection through the
// client SDK the hub serves at /client/index.js. Message content is only ever set as textContent, so
// HTML in a message shows as text (the page's CSP forbids inline script anyway).
import { connect, compareIds } from "/client/index.js";
import { wireTopicCard } from "/demo-topic.js";

const $ = (id) => document.getElementById(id);
const ui = {
  userForm: $("user-form"),
  apiKey: $("api-key"),
  uid: $("uid"),
  sendForm: $("send-form"),
  msg: $("msg"),
  sendBtn: $("send-btn"),
  sendResult: $("send-result"),
  topicForm: $("topic-form"),
  topic: $("topic"),
  liveData: $("live-data"),
  subscribeBtn: $("subscribe-btn"),
  unsubscribeBtn: $("unsubscribe-btn"),
  liveBtn: $("live-btn"),
  topicResult: $("topic-result"),
  log: $("log"),
};

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = String(text);
  return n;
}

function log(text, level) {
  const li = node("li", level ? "lvl-" + level : "");
  li.append(node("span", "log-time", new Date().toLocaleTimeString()), document.createTextNode(text));
  ui.log.prepend(li);
  while (ui.log.childElementCount > 200) ui.log.lastElementChild.remove();
}

/** POST with the API key; the JSON reply, or an Error naming the hub's error code. */
async function api(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + ui.apiKey.value.trim() },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json && json.error ? json.error.message + " (" + json.error.code + ")" : "HTTP " + res.status);
  return json;
}

const formatMsg = (msg) => (typeof msg === "string" ? msg : JSON.stringify(msg, null, 2));

/** One device panel: its own SDK connection for the uid, its message list, unread count and buttons. */
function createDevice(root) {
  const name = "Device " + root.dataset.device;
  const q = (selector) => root.querySelector(selector);
  const el = { status: q(".status"), unread: q(".unread"), readAll: q(".read-all"), toggle: q(".toggle"), empty: q(".empty"), list: q(".messages") };
  /** id → { li, badge, button, read, deliveries }: what this device shows, newest first. */
  const items = new Map();
  let uid = null;
  let inbox = null;
  /** Where a reconnect resumes: the SDK's resumeId when this device was disconnected. */
  let resumeId = null;

  function setStatus(status) {
    root.dataset.status = status;
    el.status.textContent = status;
    const tone = { connected: "on", closed: "off", unauthorized: "err" }[status] || "wait";
    el.status.className = "pill status pill-" + tone;
    refreshButtons();
  }

  function refreshButtons() {
    let unread = 0;
    for (const item of items.values()) if (!item.read) unread++;
    el.readAll.disabled = !inbox || root.dataset.status !== "connected" || unread === 0;
    el.empty.hidden = items.size > 0;
  }

  function setRead(item, read) {
    item.read = read;
    item.li.dataset.status = read ? "read" : "unread";
    item.li.className = "message status-" + (read ? "read" : "unread");
    item.badge.className = "badge badge-" + (read ? "read" : "unread");
    item.badge.textContent = read ? "read" : "unread";
    item.button.disabled = read;
    refreshButtons();
  }

  /** Shows a message once; `fromSdk` counts the SDK's `message` events per id (it should be one). */
  function show(m, fromSdk) {
    const known = items.get(m.id);
    if (known) {
      if (fromSdk) known.li.dataset.deliveries = String(++known.deliveries);
      if (fromSdk && known.deliveries > 1) log(name + ": #" + m.id + " handed over again", "err");
      return;
    }
    const li = node("li", "message");
    li.dataset.id = m.id;
    li.dataset.source = m.source;
    const badge = node("span", "badge");
    const button = node("button", "btn btn-small mark-read", "Mark read");
    button.type = "button";
    button.setAttribute("aria-label", "Mark message " + m.id + " read on " + name);
    button.addEventListener("click", () => markRead(m.id));
    const head = node("div", "message-head");
    head.append(
      node("span", "message-id", "#" + m.id),
      badge,
      node("span", "message-source", m.source === "live" ? "live" + (m.attempt > 1 ? " · attempt " + m.attempt : "") : "caught up"),
      node("span", "spacer"),
      node("time", "", new Date(m.createdAt).toLocaleTimeString()),
      button,
    );
    li.append(head, node("pre", "message-body", formatMsg(m.msg)));
    const item = { li, badge, button, read: false, deliveries: fromSdk ? 1 : 0 };
    li.dataset.deliveries = String(item.deliveries);
    items.set(m.id, item);
    // Newest first: before the first shown message with a smaller id.
    const next = [...items.keys()].filter((id) => compareIds(id, m.id) < 0).sort((a, b) => compareIds(b, a))[0];
    el.list.insertBefore(li, next === undefined ? null : items.get(next).li);
    setRead(item, m.source === "sync" && m.status === "read");
  }

  function applyReadState(event) {
    for (const [id, item] of items) {
      const hit = event.ids ? event.ids.includes(id) : compareIds(id, event.upTo) <= 0;
      if (hit && !item.read) setRead(item, true);
    }
    log(name + ": readState " + (event.ids ? "ids " + event.ids.join(", ") : "up to #" + event.upTo));
  }

  async function markRead(id) {
    if (!inbox) return log(name + " is disconnected: reconnect to mark read", "err");
    try {
      const updated = await inbox.markRead([id]);
      const item = items.get(id);
      if (item) setRead(item, true);
      log(name + ": marked #" + id + " read (" + updated + " changed)", "ok");
    } catch (err) {
      log(name + ": read failed: " + err.message, "err");
    }
  }

  async function markAllRead() {
    const newest = [...items.keys()].sort(compareIds).at(-1);
    if (!inbox || newest === undefined) return;
    try {
      const updated = await inbox.markAllRead(newest);
      for (const [id, item] of items) if (compareIds(id, newest) <= 0) setRead(item, true);
      log(name + ": marked all up to #" + newest + " read (" + updated + " changed)", "ok");
    } catch (err) {
      log(name + ": mark all read failed: " + err.message, "err");
    }
  }

  /** Opens the SDK connection; with a resume point the SDK catches up on what was missed through sync. */
  function start(lastSeenId) {
    const own = connect({
      url: location.origin,
      // Asked again before every reconnect; the topics claim lets the device subscribe its uid to demo:* topics.
      token: async () => (await api("/api/dev/token", { uid, topics: ["demo:*"] })).token,
      lastSeenId,
      retry: { initialMs: 500, maxMs: 5000 },
    });
    inbox = own;
    own.on("status", (status) => {
      if (inbox === own) setStatus(status);
    });
    own.on("message", (m) => {
      show(m, true);
      if (m.source === "sync") log(name + ": caught up #" + m.id + " through sync");
    });
    own.onUnread((count) => {
      el.unread.textContent = String(count);
      el.unread.classList.remove("stale");
    });
    own.on("readState", applyReadState);
    own.onLive(({ topic, event, data }) => {
      root.dataset.live = String(Number(root.dataset.live || 0) + 1);
      log(name + ": live " + event + " on " + topic + ": " + formatMsg(data), "ok");
    });
    own.on("error", (err) => log(name + ": " + err.code + ": " + err.message, "err"));
    el.toggle.textContent = "Disconnect";
    el.toggle.disabled = false;
    return own;
  }

  function stop() {
    if (!inbox) return;
    resumeId = inbox.resumeId;
    const own = inbox;
    inbox = null;
    own.close();
    setStatus("closed");
    el.unread.classList.add("stale");
    el.toggle.textContent = "Reconnect";
  }

  /** A fresh session for `newUid`: the uid's history through `sync`, then live messages. */
  async function open(newUid) {
    stop();
    uid = newUid;
    resumeId = null;
    items.clear();
    el.list.replaceChildren();
    el.unread.textContent = "–";
    const own = start(null);
    try {
      let since = null;
      do {
        const page = await own.sync({ since, limit: 500 });
        for (const m of page.messages) show(m, false);
        since = page.next;
      } while (since !== null && inbox === own);
    } catch (err) {
      if (err.code !== "closed") log(name + ": history: " + err.message, "err");
    }
  }

  el.toggle.addEventListener("click", () => {
    if (inbox) {
      stop();
      log(name + ": disconnected by you (resumes after #" + (resumeId || "–") + ")");
    } else if (uid) {
      start(resumeId);
      log(name + ": reconnecting, catching up after #" + (resumeId || "–"));
    }
  });
  el.readAll.addEventListener("click", () => void markAllRead());
  setStatus("closed");
  return { open, subscription: (subscribe, topic) => (inbox ? inbox[subscribe ? "subscribe" : "unsubscribe"](topic) : Promise.reject(new Error("disconnected"))) };
}

const devices = [createDevice($("device-a")), createDevice($("device-b"))];

ui.userForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const uid = ui.uid.value.trim();
  if (!uid) return;
  document.body.dataset.uid = uid;
  ui.sendBtn.disabled = false;
  for (const b of [ui.subscribeBtn, ui.unsubscribeBtn, ui.liveBtn]) b.disabled = false;
  log("opening both devices as " + uid, "ok");
  for (const device of devices) void device.open(uid);
});

ui.sendForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const uid = document.body.dataset.uid;
  if (!uid) return;
  let msg;
  try {
    msg = JSON.parse(ui.msg.value);
  } catch {
    msg = ui.msg.value;
  }
  ui.sendBtn.disabled = true;
  try {
    const res = await api("/api/messages", { uid, msg });
    ui.sendResult.className = "result ok";
    ui.sendResult.textContent = "Queued #" + res.id + " for " + uid;
    log("sent #" + res.id + " to " + uid, "ok");
  } catch (err) {
    ui.sendResult.className = "result err";
    ui.sendResult.textContent = err.message;
    log("send failed: " + err.message, "err");
  } finally {
    ui.sendBtn.disabled = false;
  }
});

wireTopicCard({ ui, subscription: devices[0].subscription, api, log });
