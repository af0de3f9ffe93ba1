import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Whether connections are currently passed through. */
  readonly up: boolean;
  /** Outage: destroys every open connection and refuses new ones (the port stops listening). */
  cut(): Promise<void>;
  /** Listens again on the same port and passes connections through. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP forwarder on 127.0.0.1 in front of `target` (e.g. PostgreSQL) that a test can cut and restore,
 * so a service sees its peer vanish mid-connection and come back, as in a network outage.
 */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1", listenPort = 0): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let up = false;
  let server: Server | undefined;
  let port = listenPort;

  const onConnection = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        s.off("error", reject);
        port = (s.address() as { port: number }).port;
        server = s;
        up = true;
        resolve();
      });
    });

  const cut = async () => {
    if (!server) return;
    const s = server;
    server = undefined;
    up = false;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    // resetAndDestroy sends RST: the peer notices at once instead of at its next write.
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
    await closed;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get up() {
      return up;
    },
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    close: cut,
  };
}
