/**
 * `--tracing`: an OTLP/HTTP receiver the started hubs export their traces to (OTEL_EXPORTER_OTLP_ENDPOINT).
 * It counts the spans and discards them, so a run measures what tracing costs the hub, not a collector.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { countSpans } from "./otlp-span-count.ts";

export interface OtlpCounts {
  spans: number;
  exports: number;
  bytes: number;
}

export interface OtlpSink {
  url: string;
  counts(): OtlpCounts;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const counts: OtlpCounts = { spans: 0, exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const json = (req.headers["content-type"] ?? "").includes("json");
      try {
        const raw = Buffer.concat(chunks);
        const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
        counts.spans += countSpans(body, json ? "json" : "protobuf");
        counts.exports += 1;
        counts.bytes += raw.length;
      } catch {
        // a body it cannot read is still acknowledged: the hub must not retry it
      }
      // an empty ExportTraceServiceResponse: everything accepted
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" }).end(json ? "{}" : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const formatTracing = (label: string, c: OtlpCounts, delivered: number): string =>
  `${label}: tracing on: ${c.spans} spans in ${c.exports} OTLP exports (${Math.round(c.bytes / 1024)} KB)` +
  (delivered > 0 ? `, ${(c.spans / delivered).toFixed(1)} spans per delivered message` : "");
