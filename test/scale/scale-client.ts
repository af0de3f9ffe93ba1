import { Agent } from "node:http";
import { io, type Socket } from "socket.io-client";
import type { MessagePayload } from "../../server/protocol/message-payload.ts";
import { signToken } from "../support/client.ts";

export interface ScaleClient {
  uid: string;
  socket: Socket;
  /** Every `message` event (redeliveries included), in arrival order. */
  received: MessagePayload[];
  /** Distinct ids received. */
  ids(): Set<string>;
  /** Time of each disconnect and of the connect that followed it (ms since epoch). */
  outages: { down: number; up?: number; reason: string }[];
  connects: number;
  close(): void;
}

export interface ScaleClientOptions {
  /** Source address (e.g. 127.0.3.1): nginx's ip_hash routes on it. */
  localAddress?: string;
  transports?: ("polling" | "websocket")[];
  reconnection?: boolean;
}

/**
 * A socket.io-client that binds to a chosen source address — through an http.Agent, which both
 * the polling transport (xmlhttprequest-ssl) and the websocket transport (ws) use to open their
 * connections — and that acks every message and records its outages.
 */
export async function connectScaleClient(url: string, uid: string, o: ScaleClientOptions = {}): Promise<ScaleClient> {
  const token = await signToken(uid);
  const agent = o.localAddress ? new Agent({ keepAlive: true, localAddress: o.localAddress }) : false;
  const socket = io(url, {
    auth: { token },
    transports: o.transports ?? ["websocket"],
    forceNew: true,
    reconnection: o.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    randomizationFactor: 0.2,
    timeout: 5000,
    // the typings say string | boolean; engine.io-client hands it to http.request / ws as is
    agent: agent as unknown as boolean,
  });
  const client: ScaleClient = {
    uid,
    socket,
    received: [],
    ids: () => new Set(client.received.map((m) => m.id)),
    outages: [],
    connects: 0,
    close() {
      socket.close();
      if (agent) agent.destroy();
    },
  };
  socket.on("message", (payload: MessagePayload, ack: () => void) => {
    client.received.push(payload);
    ack();
  });
  socket.on("disconnect", (reason) => client.outages.push({ down: Date.now(), reason }));
  socket.on("connect", () => {
    client.connects++;
    const last = client.outages.at(-1);
    if (last && last.up === undefined) last.up = Date.now();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => (o.reconnection ? undefined : reject(err)));
    setTimeout(() => reject(new Error(`${uid} did not connect within 10 s`)), 10000).unref();
  });
  return client;
}
