import type { Server } from "node:http";

/** Starts listening; resolves once bound, rejects with the bind error (EADDRINUSE, EACCES). */
export function listen(server: Server, options: { port?: number; host: string; backlog?: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** `p`, or `fallback` once `ms` have passed without it settling. */
export const withTimeout = <T>(p: Promise<T>, ms: number, fallback: T) =>
  Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);
