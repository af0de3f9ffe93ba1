/**
 * Which browser origins may use the hub (ALLOWED_ORIGINS): a request without an Origin header (a
 * producer's backend, a Node client) and a same-origin page (Origin matches the Host it was sent to)
 * always may; any other origin only when listed, or when the list holds "*".
 */
export type OriginPolicy = (origin: string | undefined, host: string | undefined) => boolean;

export function createOriginPolicy(allowedOrigins: readonly string[]): OriginPolicy {
  const any = allowedOrigins.includes("*");
  const allowed = new Set(allowedOrigins.map((o) => o.toLowerCase()));
  return (origin, host) => {
    if (origin === undefined || origin === "") return true;
    const normalized = origin.toLowerCase();
    if (any || allowed.has(normalized)) return true;
    if (host === undefined) return false;
    try {
      return new URL(normalized).host === host.toLowerCase();
    } catch {
      return false; // "null" (sandboxed frames, file://) and garbage
    }
  };
}
