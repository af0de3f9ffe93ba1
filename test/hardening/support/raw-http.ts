import http from "node:http";
import net from "node:net";

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http with a keep-alive agent: the bytes we give are the bytes sent (no JSON helpers, no defaults). */
export function createRawClient(base: string, maxSockets = 8) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const send = (r: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      // An explicit length, or Node sends DELETE/OPTIONS bodies unframed and the server parses them as a request.
      const framed = r.body && !Object.keys(r.headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
      const headers = framed ? { ...r.headers, "content-length": String(r.body?.length) } : r.headers;
      const req = http.request(
        { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent, timeout: 15000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timeout: ${r.method} ${r.path}`)));
      req.on("error", reject);
      req.end(r.body);
    });
  return { send, close: () => agent.destroy() };
}

/**
 * Writes `bytes` on a fresh TCP connection, optionally half-closes, and returns the status line the
 * server answered with (null when it just closed the connection).
 */
export function sendRawBytes(base: string, bytes: Buffer, endAfter = true, waitMs = 2000): Promise<number | null> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let got = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : null);
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (/\r\n\r\n/.test(got)) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(bytes, () => {
      if (endAfter) socket.end();
    });
  });
}

/**
 * Sends `head` then `body` in 64 KiB pieces, stopping as soon as the server answers (it may answer
 * 413 long before the body is through, then close). Resolves with the status, or null if none came.
 */
export function streamRequest(base: string, head: string, body: Buffer, timeoutMs = 10000): Promise<number | null> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let got = "";
    let answered = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : null);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on("data", (d: Buffer) => {
      got += d.toString("latin1");
      if (/\r\n\r\n/.test(got)) {
        answered = true;
        finish();
      }
    });
    socket.on("error", () => undefined); // EPIPE/ECONNRESET once the server has answered and closed
    socket.on("close", finish);
    socket.on("connect", async () => {
      socket.write(head);
      for (let at = 0; at < body.length && !answered && !socket.destroyed; at += 65536) {
        if (!socket.write(body.subarray(at, at + 65536))) await new Promise((r) => socket.once("drain", r));
      }
    });
  });
}
