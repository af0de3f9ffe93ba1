import type { Middleware } from "koa";

/** Counts HTTP requests in progress so shutdown can let them finish (their messages are being stored). */
export function createRequestTracker() {
  let active = 0;
  let waiters: Array<() => void> = [];
  const middleware: Middleware = async (_ctx, next) => {
    active += 1;
    try {
      await next();
    } finally {
      active -= 1;
      if (active === 0) {
        for (const w of waiters) w();
        waiters = [];
      }
    }
  };
  return {
    middleware,
    /** Resolves when no request is in progress, or at `deadline` (epoch ms). */
    idle(deadline: number): Promise<void> {
      if (active === 0) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
      });
    },
  };
}
