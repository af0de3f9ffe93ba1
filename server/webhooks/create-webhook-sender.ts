import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import { Agent, buildConnector, request } from "undici";
import { isPublicAddress } from "./address-policy.ts";
import { parseRetryAfter } from "./retry-after.ts";

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type PostResult =
  | { outcome: "ok"; status: number; durationMs: number }
  | { outcome: "gone"; status: 410; durationMs: number }
  | { outcome: "failed"; status?: number; error: string; retryAfterMs?: number; durationMs: number };

export interface WebhookSender {
  /** Never rejects: every way a POST can go wrong is a "failed" result. */
  post(p: WebhookPost): Promise<PostResult>;
  close(): Promise<void>;
}

interface WebhookSenderDeps {
  /** Endpoints may be on loopback, private and link-local addresses (development and test). */
  allowPrivate: boolean;
  /** One POST (connect, answer, body) must finish within this. */
  timeoutMs: number;
  userAgent: string;
}

/** Read (and dropped) at most this much of an answer's body; past it the connection is destroyed. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const UNDICI_TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function notPublicError(address: string): Error {
  return Object.assign(new Error(`${address} is not a public address`), { code: "ERR_WEBHOOK_ADDRESS_NOT_PUBLIC" });
}

/**
 * Resolves like dns.lookup but fails when any address is not public: the URL was checked when the
 * endpoint was saved, and this stops DNS that answers differently now (rebinding) from reaching inside.
 */
const publicOnlyLookup: LookupFunction = (hostname, options: LookupOptions, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) return callback(notPublicError(refused.address), []);
    const first = addresses[0];
    if (options.all) return callback(null, addresses);
    if (!first) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: "ENOTFOUND" }), []);
    callback(null, first.address, first.family);
  });
};

function createConnector(deps: WebhookSenderDeps): buildConnector.connector {
  if (deps.allowPrivate) return buildConnector({ timeout: deps.timeoutMs });
  const connectChecked = buildConnector({ timeout: deps.timeoutMs, lookup: publicOnlyLookup });
  // net.connect skips lookup for an IP literal, so literals are judged here, before any socket exists.
  return (options, callback) => {
    if (isIP(options.hostname) !== 0 && !isPublicAddress(options.hostname)) {
      callback(notPublicError(options.hostname), null);
      return;
    }
    connectChecked(options, callback);
  };
}

function describeError(err: unknown, timedOut: boolean, timeoutMs: number): string {
  const e = err as { message?: string; code?: string; errors?: unknown[] } | undefined;
  if (timedOut || (e?.code !== undefined && UNDICI_TIMEOUT_CODES.has(e.code))) return `timed out after ${timeoutMs} ms`;
  // With happy eyeballs, net fails with an AggregateError whose own message is empty.
  if (!e?.message && Array.isArray(e?.errors) && e.errors.length > 0) {
    return e.errors.map((inner) => describeError(inner, false, timeoutMs)).join("; ");
  }
  return e?.message || e?.code || String(err);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** POSTs signed webhook batches: bounded in time and in what it reads, never redirected, public addresses only. */
export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const { timeoutMs } = deps;
  const agent = new Agent({
    connect: createConnector(deps),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  return {
    async post(p) {
      const startedAt = performance.now();
      const elapsed = () => performance.now() - startedAt;
      const deadline = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        deadline.abort(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      try {
        const response = await request(p.url, {
          dispatcher: agent,
          method: "POST",
          headers: { "content-type": "application/json", ...p.headers, "user-agent": deps.userAgent },
          body: p.body,
          signal: deadline.signal,
        });
        const status = response.statusCode;
        // The status is the receiver's answer; the body only has to be drained so the connection can be reused.
        await response.body.dump({ limit: MAX_RESPONSE_BYTES, signal: deadline.signal }).catch(() => undefined);
        if (status >= 200 && status < 300) return { outcome: "ok", status, durationMs: elapsed() };
        if (status === 410) return { outcome: "gone", status, durationMs: elapsed() };
        const retryAfterMs = parseRetryAfter(headerValue(response.headers["retry-after"]));
        const error = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;
        return { outcome: "failed", status, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), durationMs: elapsed() };
      } catch (err) {
        return { outcome: "failed", error: describeError(err, timedOut, timeoutMs), durationMs: elapsed() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}
