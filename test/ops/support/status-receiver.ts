import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A webhook receiver on 127.0.0.1 for the ops tests, one URL per behaviour: `answering(status)` answers
 * every POST with that status; `flaky` answers 500 and 204 in turn; `holding` never answers (an endpoint
 * that cannot keep up) until `stop`.
 * Signatures are not checked: only the hub's metrics of its attempts matter here.
 */
export async function startStatusReceiver() {
  let flakyPosts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = /^\/status\/(\d{3})$/.exec(req.url ?? "")?.[1];
      if (status) res.writeHead(Number(status)).end();
      else if (req.url === "/flaky") res.writeHead(flakyPosts++ % 2 === 0 ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;
  return {
    answering: (status: number) => `${base}/status/${status}`,
    flaky: `${base}/flaky`,
    holding: `${base}/hold`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}

export type StatusReceiver = Awaited<ReturnType<typeof startStatusReceiver>>;
