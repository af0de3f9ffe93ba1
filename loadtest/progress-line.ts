/** The live one-line status during a run: rewritten in place on a TTY, every 5 s otherwise. */
import type { ProgressSnapshot } from "./generator.ts";

export function formatProgress(p: ProgressSnapshot): string {
  const servers = p.servers.map((s) => `${s.label} ${Math.round(s.cpuPct)}% ${Math.round(s.rssMB)}MB`).join(" ");
  const outstanding = p.outstanding >= 0 ? ` out ${p.outstanding}` : "";
  return (
    `[${p.label}] ${p.elapsedSec.toFixed(0)}s ${p.phase} | conn ${p.connected}/${p.clients} err ${p.connectErrors} disc ${p.disconnects}` +
    ` | sent ${p.sent} acc ${p.accepted} fail ${p.failed} recv ${p.received} dup ${p.duplicates}${outstanding}` +
    ` | p50 ${p.recentP50Ms.toFixed(1)}ms p99 ${p.recentP99Ms.toFixed(1)}ms | ${servers}`
  );
}

export function createProgressPrinter(stream: NodeJS.WriteStream): { print(p: ProgressSnapshot): void; done(): void } {
  let lastPlain = 0;
  let dirty = false;
  return {
    print(p) {
      const line = formatProgress(p);
      if (stream.isTTY) {
        stream.write(`\r\x1b[K${line.slice(0, (stream.columns || 200) - 1)}`);
        dirty = true;
      } else if (p.elapsedSec - lastPlain >= 5 || p.phase === "finish") {
        lastPlain = p.elapsedSec;
        stream.write(line + "\n");
      }
    },
    done() {
      if (dirty) stream.write("\n");
      dirty = false;
    },
  };
}
