import { createServer, connect, type Server, type Socket } from "node:net";
import { Transform, type TransformCallback } from "node:stream";

export interface TcpProxy {
  port: number;
  /** Whether connections are currently passed through. */
  readonly up: boolean;
  /** Outage: destroys every open connection and refuses new ones (the port stops listening). */
  cut(): Promise<void>;
  /** Listens again on the same port and passes connections through. */
  restore(): Promise<void>;
  /**
   * Arms a one-shot "lost reply" (PostgreSQL wire protocol): the first connection whose client sends
   * bytes containing `marker` (e.g. the name of a SQL function) gets none of the server's answer to it —
   * everything the server sends from then on is held back, and once it contains a ReadyForQuery message
   * (`Z`, length 5, status I/T/E: the statement and its implicit COMMIT are done server-side) both
   * sockets are destroyed without forwarding it. The client sees its connection break with the outcome
   * unknown. Other connections, and every connection after it fired, pass through untouched.
   * Resolves when it fired.
   */
  dropReplyAfter(marker: string): { fired: Promise<void> };
  /** How many times an armed drop fired. */
  readonly dropped: number;
  close(): Promise<void>;
}

/** Index of a PostgreSQL ReadyForQuery message (5A 00 00 00 05 then 'I'/'T'/'E') in `buf`, or -1. */
export function findReadyForQuery(buf: Buffer): number {
  for (let i = buf.indexOf(0x5a); i >= 0 && i + 5 < buf.length; i = buf.indexOf(0x5a, i + 1)) {
    if (buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0 && buf[i + 4] === 5) {
      const status = buf[i + 5];
      if (status === 0x49 || status === 0x54 || status === 0x45) return i;
    }
  }
  return -1;
}

interface ArmedDrop {
  marker: Buffer;
  fire: () => void;
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
  let armed: ArmedDrop | undefined;
  let dropped = 0;

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

    // The armed drop this connection was picked for (it sent the marker), and the replies held back.
    let victim: ArmedDrop | undefined;
    let held = Buffer.alloc(0);
    let tail = Buffer.alloc(0);
    const toServer = new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        if (armed && !victim) {
          const seen = Buffer.concat([tail, chunk]);
          if (seen.includes(armed.marker)) {
            victim = armed;
            armed = undefined; // one-shot: the next connection that sends it passes
          } else tail = seen.subarray(Math.max(0, seen.length - armed.marker.length));
        }
        done(null, chunk);
      },
    });
    const toClient = new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        if (!victim) return done(null, chunk);
        held = Buffer.concat([held, chunk]);
        if (findReadyForQuery(held) < 0) return done(); // part of the answer: hold it back
        const fired = victim;
        victim = undefined;
        dropped++;
        done();
        drop(); // the answer (and its ReadyForQuery) never reaches the client
        fired.fire();
      },
    });
    client.pipe(toServer).pipe(upstream);
    upstream.pipe(toClient).pipe(client);
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
    get dropped() {
      return dropped;
    },
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    dropReplyAfter(marker: string) {
      let fire!: () => void;
      const fired = new Promise<void>((resolve) => (fire = resolve));
      armed = { marker: Buffer.from(marker, "latin1"), fire };
      return { fired };
    },
    close: cut,
  };
}
