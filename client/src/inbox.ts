import { startCatchUp } from "./catch-up.ts";
import { settingsFrom, type ConnectOptions, type Settings } from "./connect-options.ts";
import { TypedEmitter, type Listener } from "./emitter.ts";
import { HubClientError } from "./hub-client-error.ts";
import { HubConnection } from "./hub-connection.ts";
import type { InboxEvents, InboxMessage, InboxPage, InboxStatus, SyncedMessage } from "./inbox-events.ts";
import { newerId } from "./message-ids.ts";
import { isFramePayload, isLivePayload, isMessagePayload, isReadReply, isReadStateEvent, isSyncPage, isUnreadPayload } from "./protocol.ts";
import type { LivePayload, SyncRequest, UnreadPayload } from "./protocol.ts";
import { ResumePoint } from "./resume-point.ts";
import { SeenIds } from "./seen-ids.ts";
import { changeSubscription } from "./topics.ts";
import { UnreadCount } from "./unread-count.ts";
import { checkId, readBatches, syncRequest } from "./validate.ts";

/**
 * One user's inbox on the hub (the token's uid): live messages acked for the app, deduped, and caught
 * up through `sync` after every reconnect. Create it with {@link connect}; README.md has the guarantees.
 */
export class Inbox<M = unknown> {
  readonly #settings: Settings;
  readonly #connection: HubConnection;
  readonly #events = new TypedEmitter<InboxEvents<M>>((err, event) => this.#listenerFailed(err, event));
  readonly #seen: SeenIds;
  #lastSeenId: string | null;
  readonly #resume: ResumePoint;
  readonly #unread = new UnreadCount();
  #stopCatchUp = () => {};

  constructor(options: ConnectOptions) {
    this.#settings = settingsFrom(options);
    this.#lastSeenId = this.#settings.lastSeenId;
    this.#resume = new ResumePoint(this.#settings.lastSeenId);
    this.#seen = new SeenIds(this.#settings.dedupeCapacity);
    this.#connection = new HubConnection(this.#settings, {
      status: (status) => this.#events.emit("status", status),
      error: (err) => this.#report(err),
      connected: (epoch) => this.#onConnect(epoch),
      disconnected: () => this.#resume.markLost(),
    });
    const socket = this.#connection.socket;
    socket.on("message", (payload, ack) => this.#onMessage(payload, ack));
    socket.on("messages", (payload, ack) => this.#onFrame(payload, ack));
    socket.on("unread", (payload) => {
      if (isUnreadPayload(payload)) this.#setUnread(payload);
      else this.#report(new HubClientError("invalid_event", "the hub sent an unread event without a count"));
    });
    socket.on("readState", (payload) => {
      if (isReadStateEvent(payload)) this.#events.emit("readState", payload);
      else this.#report(new HubClientError("invalid_event", "the hub sent a malformed readState event"));
    });
    socket.on("live", (payload) => {
      if (isLivePayload(payload)) this.#events.emit("live", payload);
      else this.#report(new HubClientError("invalid_event", "the hub sent a malformed live event"));
    });
  }

  /**
   * The highest message id handed to the app (or the `lastSeenId` it started with); the default of
   * `markAllRead`. To persist a resume point, prefer `resumeId`.
   * @example
   * ```ts
   * inbox.on("message", () => console.log("newest so far:", inbox.lastSeenId));
   * ```
   */
  get lastSeenId(): string | null {
    return this.#lastSeenId;
  }

  /**
   * Where a new session should resume (pass it as `lastSeenId` to `connect`): every message up to it
   * has been handed to the app. It trails `lastSeenId` while a catch-up is still reading older pages.
   * @example
   * ```ts
   * addEventListener("pagehide", () => localStorage.setItem("resumeId", inbox.resumeId ?? ""));
   * connect({ url, token, lastSeenId: localStorage.getItem("resumeId") || null });
   * ```
   */
  get resumeId(): string | null {
    return this.#resume.since;
  }

  /**
   * The uid's unread count as last reported by the hub; null until the first report.
   * @example
   * ```ts
   * badge.textContent = String(inbox.unread ?? "");
   * ```
   */
  get unread(): number | null {
    return this.#unread.value;
  }

  /**
   * The connection state (also the `status` event).
   * @example
   * ```ts
   * if (inbox.status === "unauthorized") showSignIn();
   * ```
   */
  get status(): InboxStatus {
    return this.#connection.status;
  }

  /**
   * Listens to an event; returns the function that stops listening.
   * @example
   * ```ts
   * const off = inbox.on("message", (m) => render(m));
   * inbox.on("status", (s) => console.log("hub:", s));
   * off();
   * ```
   */
  on<E extends keyof InboxEvents<M>>(event: E, listener: Listener<InboxEvents<M>[E]>): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Listens to unread-count changes; returns the function that stops listening.
   * @example
   * ```ts
   * const off = inbox.onUnread((count) => (badge.textContent = String(count)));
   * ```
   */
  onUnread(listener: (count: number) => void): () => void {
    return this.#events.on("unread", listener);
  }

  /**
   * One page of the uid's messages with id > `since` (from the first when omitted), oldest first, with
   * their read state. For history views: it emits no `message` events and does not touch dedupe.
   * @example
   * ```ts
   * let since: string | null = null;
   * do {
   *   const page = await inbox.sync({ since, limit: 200 });
   *   show(page.messages);
   *   since = page.next;
   * } while (since !== null);
   * ```
   */
  async sync(options: { since?: string | null; limit?: number } = {}): Promise<InboxPage<M>> {
    return this.#syncPage(syncRequest(options));
  }

  /**
   * Marks these messages read (the uid's own; other ids are not counted) and resolves with how many
   * changed. More than 1000 ids go out in several requests.
   * @example
   * ```ts
   * const updated = await inbox.markRead(["41", "42"]);
   * ```
   */
  async markRead(ids: readonly string[]): Promise<number> {
    let updated = 0;
    for (const batch of readBatches(ids)) {
      const reply = await this.#connection.request("read", (s) => s.emitWithAck("read", { ids: batch }), isReadReply);
      updated += reply.updated;
    }
    return updated;
  }

  /**
   * Marks every message up to `upToId` read — by default up to the newest one handed to the app
   * (`lastSeenId`; resolves with 0 without asking the hub when there is none, or it is "0"). Resolves with how many
   * changed.
   * @example
   * ```ts
   * await inbox.markAllRead();
   * await inbox.markAllRead("1200");
   * ```
   */
  async markAllRead(upToId?: string): Promise<number> {
    const id = upToId === undefined ? this.#lastSeenId : checkId(upToId, "upToId");
    if (id === null || id === "0") return 0; // nothing is up to "0": the hub's ids start at 1
    const reply = await this.#connection.request("readUpTo", (s) => s.emitWithAck("readUpTo", { id }), isReadReply);
    return reply.updated;
  }

  /**
   * Subscribes the uid (every device of it) to `topic`, where the token's `topics` claim allows it
   * (`forbidden` otherwise); its live events follow at once, and the producer's publishes to the topic.
   * @example
   * ```ts
   * await inbox.subscribe("scores:match-42");
   * inbox.onLive(({ topic, event, data }) => showScore(data));
   * ```
   */
  async subscribe(topic: string): Promise<void> {
    await changeSubscription(this.#connection, "subscribe", topic);
  }

  /** Unsubscribes the uid from `topic` (idempotent), under the same rule as `subscribe`. */
  async unsubscribe(topic: string): Promise<void> {
    await changeSubscription(this.#connection, "unsubscribe", topic);
  }

  /** Listens to live events of the uid's topics; returns the function that stops listening. */
  onLive(listener: (event: LivePayload) => void): () => void {
    return this.#events.on("live", listener);
  }

  /**
   * Disconnects for good: pending requests reject with `closed`, listeners get a last `status`
   * ("disconnected") and are dropped.
   * @example
   * ```ts
   * window.addEventListener("pagehide", () => inbox.close());
   * ```
   */
  close(): void {
    this.#stopCatchUp();
    this.#connection.close();
    this.#events.clear();
  }

  #onConnect(epoch: number): void {
    this.#stopCatchUp();
    // With no resume point (first connect, nothing seen) there is nothing to catch up on: the hub's
    // backlog arrives live, and older history is the app's to load with `sync`.
    if (!this.#settings.syncOnConnect || this.#resume.since === null) return this.#resume.markCaughtUp();
    this.#stopCatchUp = startCatchUp({
      resume: this.#resume,
      fetchPage: (since) => this.#syncPage(syncRequest({ since, limit: this.#settings.pageSize })),
      deliver: (message) => this.#deliver(message),
      current: () => epoch === this.#connection.epoch && this.#connection.connected,
      report: (err) => this.#report(err),
      retry: this.#settings.retry,
    });
  }

  #onMessage(payload: unknown, ack: unknown): void {
    try {
      this.#takeLive(payload);
    } finally {
      // Always, duplicates included: an unacked message is delivered again and again.
      if (typeof ack === "function") ack();
    }
  }

  /** A frame: its messages in order, then one ack for all of them, and the unread count it carries. */
  #onFrame(payload: unknown, ack: unknown): void {
    try {
      if (!isFramePayload(payload)) return this.#report(new HubClientError("invalid_event", "the hub sent a malformed frame"));
      for (const message of payload.messages) this.#takeLive(message);
      if (payload.unread) this.#setUnread(payload.unread);
    } finally {
      if (typeof ack === "function") ack();
    }
  }

  #takeLive(payload: unknown): void {
    if (!isMessagePayload(payload)) return this.#report(new HubClientError("invalid_event", "the hub sent a malformed message"));
    const { id, type, clientType, msg, createdAt, attempt, topic, publishId } = payload;
    this.#deliver({ id, type, clientType, msg: msg as M, createdAt, attempt, source: "live", ...(topic && publishId ? { topic, publishId } : {}) });
    this.#resume.live(id);
  }

  #deliver(message: InboxMessage<M>): void {
    if (!this.#seen.add(message.id)) return;
    this.#lastSeenId = newerId(this.#lastSeenId, message.id);
    this.#events.emit("message", message);
  }

  async #syncPage(request: SyncRequest): Promise<InboxPage<M>> {
    const page = await this.#connection.request("sync", (s) => s.emitWithAck("sync", request), isSyncPage);
    this.#setUnread(page.unread);
    const messages = page.messages.map((m): SyncedMessage<M> => ({ ...m, msg: m.msg as M, source: "sync" }));
    return { messages, next: page.next, unread: page.unread };
  }

  #setUnread(report: UnreadPayload | number): void {
    if (this.#unread.take(report)) this.#events.emit("unread", this.#unread.value as number);
  }

  /** Errors go to `error` listeners; with none, to the console rather than nowhere. */
  #report(err: HubClientError): void {
    if (this.#events.has("error")) this.#events.emit("error", err);
    else console.error(err);
  }

  #listenerFailed(err: unknown, event: keyof InboxEvents<M>): void {
    if (event === "error") console.error(err);
    else this.#report(new HubClientError("listener_failed", `a "${String(event)}" listener threw`, { cause: err }));
  }
}

/**
 * Connects to the hub and returns the user's inbox. Throws `invalid_argument` for bad options.
 * @example
 * ```ts
 * const inbox = connect({ url: "https://push.example.com", token: () => api.fetchHubToken() });
 * inbox.on("message", (m) => console.log(m.id, m.msg, m.source));
 * ```
 */
export function connect<M = unknown>(options: ConnectOptions): Inbox<M> {
  return new Inbox<M>(options);
}
