import { isIP } from "node:net";
import type { Context } from "koa";

/**
 * The caller's address. Behind a trusted proxy (TRUST_PROXY=true, nginx) the left-most valid address
 * of X-Forwarded-For, else X-Real-IP; otherwise — and whenever those headers are absent or garbage —
 * the socket's peer, because any client can send those headers.
 */
export function clientIp(ctx: Context, trustProxy: boolean): string {
  const peer = ctx.req.socket.remoteAddress ?? "unknown";
  if (!trustProxy) return peer;
  const forwarded = ctx.get("x-forwarded-for").split(",").map((s) => s.trim()).find((s) => isIP(s) !== 0);
  if (forwarded) return forwarded;
  const real = ctx.get("x-real-ip").trim();
  return isIP(real) !== 0 ? real : peer;
}
