import { io, type Socket } from "socket.io-client";
import type { MessagePayload } from "../../../server/protocol/message-payload.ts";
import { signToken } from "../../support/client.ts";
import type { Receipt } from "./order-check.ts";

export interface Connection {
  instance: number;
  /** ms since epoch: when it connected, and when it went away (if it did). */
  up: number;
  down?: number;
  reason?: string;
}

export interface ChaosDevice {
  uid: string;
  /** Connects with `auth.frames: true` and handles `messages` frames as well as single `message`s. */
  frames: boolean;
  /** Every message received (redeliveries included), in arrival order. */
  receipts: Receipt[];
  connections: Connection[];
  /** The hub it is connected to now, or null while it is between connections. */
  instance(): number | null;
  close(): void;
}

export interface DeviceOptions {
  uid: string;
  /** Hub URLs by instance number. */
  urls: string[];
  firstInstance: number;
  frames: boolean;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;

/**
 * One device of a uid, as it would sit behind a load balancer: it acks every message, and when its
 * connection drops (or a connect fails) it connects to the other instance, then keeps alternating
 * between the instances with a short backoff until one takes it. Resolves once first connected.
 */
export async function connectDevice(o: DeviceOptions): Promise<ChaosDevice> {
  const token = await signToken(o.uid);
  let socket: Socket | undefined;
  let current: number | null = null;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let firstConnect!: () => void;
  const connected = new Promise<void>((resolve) => (firstConnect = resolve));

  const device: ChaosDevice = {
    uid: o.uid,
    frames: o.frames,
    receipts: [],
    connections: [],
    instance: () => current,
    close() {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    },
  };

  const record = (payload: MessagePayload, instance: number, framed: boolean) => {
    device.receipts.push({ id: payload.id, attempt: payload.attempt, at: Date.now(), instance, framed });
  };

  const connectTo = (instance: number) => {
    if (closed) return;
    const s = io(o.urls[instance]!, {
      auth: o.frames ? { token, frames: true } : { token },
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: 3000,
    });
    socket = s;
    const elsewhere = () => {
      s.removeAllListeners();
      s.close();
      if (closed) return;
      current = null;
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures++);
      retry = setTimeout(() => connectTo((instance + 1) % o.urls.length), delay);
    };
    s.on("message", (payload: MessagePayload, ack?: () => void) => {
      record(payload, instance, false);
      ack?.();
    });
    s.on("messages", (frame: { messages: MessagePayload[] }, ack?: () => void) => {
      for (const payload of frame.messages) record(payload, instance, true);
      ack?.();
    });
    s.on("connect", () => {
      failures = 0;
      current = instance;
      device.connections.push({ instance, up: Date.now() });
      firstConnect();
    });
    s.on("connect_error", elsewhere);
    s.on("disconnect", (reason) => {
      const last = device.connections.at(-1);
      if (last && last.down === undefined) Object.assign(last, { down: Date.now(), reason });
      elsewhere();
    });
  };

  connectTo(o.firstInstance);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${o.uid} did not connect within 15 s`)), 15000)));
  try {
    await Promise.race([connected, timeout]);
  } catch (error) {
    device.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return device;
}
