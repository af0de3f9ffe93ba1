import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface ReceivedPost {
  id: string;
  timestamp: number;
  signatures: string[];
  type: string;
  bodyTimestamp: string;
  items: Record<string, string>[];
  /** Which of the receiver's secrets verified this POST (by the standardwebhooks library). */
  verifiedBy: string[];
  /** The status it was answered with (0 while unanswered, or when its connection closed first). */
  answered: number;
  /** The sender's port (which process sent it: `ss`). */
  remotePort: number;
}

/** What the receiver answers: a status (and optional headers), after an optional delay. */
export type ReceiverMode = { status: number; delayMs?: number; headers?: Record<string, string> };

/**
 * A real webhook receiver on 127.0.0.1: every POST is verified with the standardwebhooks library against
 * each secret it was given (a POST no secret verifies is kept in `rejected`), answered as `mode` says, and
 * its items kept by type.
 */
export async function startWebhookReceiver() {
  const posts: ReceivedPost[] = [];
  const rejected: { headers: IncomingMessage["headers"]; body: string }[] = [];
  let secrets: string[] = [];
  let mode: ReceiverMode = { status: 200 };
  let inFlight = 0;
  const openPorts = new Set<number>();
  let maxInFlight = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const remotePort = req.socket.remotePort ?? 0;
      openPorts.add(remotePort);
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(req.headers[h] ?? "")]));
      const verifiedBy = secrets.filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const answer = mode;
      let post: ReceivedPost | undefined;
      if (verifiedBy.length === 0) rejected.push({ headers: req.headers, body });
      else {
        const parsed = JSON.parse(body) as { type: string; timestamp: string; data: { items: Record<string, string>[] } };
        post = {
          id: headers["webhook-id"]!,
          timestamp: Number(headers["webhook-timestamp"]),
          signatures: headers["webhook-signature"]!.split(" "),
          type: parsed.type,
          bodyTimestamp: parsed.timestamp,
          items: parsed.data.items,
          verifiedBy,
          answered: 0,
          remotePort,
        };
        posts.push(post);
      }
      const timer = setTimeout(() => {
        inFlight--;
        openPorts.delete(remotePort);
        if (post) post.answered = answer.status;
        res.writeHead(verifiedBy.length === 0 ? 401 : answer.status, answer.headers ?? {}).end();
      }, answer.delayMs ?? 0);
      // A sender that died mid-POST: its connection closes before the answer.
      res.on("close", () => {
        if (res.writableFinished) return;
        clearTimeout(timer);
        inFlight--;
        openPorts.delete(remotePort);
      });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/hooks`,
    posts,
    rejected,
    /** Ports of the connections whose POST is waiting for its answer now. */
    inFlightPorts: () => [...openPorts],
    get maxInFlight() {
      return maxInFlight;
    },
    trust(...s: string[]) {
      secrets = s;
    },
    answer(m: ReceiverMode) {
      mode = m;
    },
    /** Items of POSTs answered 2xx, of one type. */
    accepted(type: string) {
      return posts.filter((p) => p.type === type && p.answered >= 200 && p.answered < 300).flatMap((p) => p.items);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
