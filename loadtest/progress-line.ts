/** The live one-line status during a run: rewritten in place on a TTY, at most one line per 5 s otherwise. */
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

export interface StatusLine {
  /** `always`: print it even within 5 s of the last plain line. */
  show(line: string, always?: boolean): void;
  /** Ends an in-place line, so the next output starts on a line of its own. */
  done(): void;
}

export function createStatusLine(stream: NodeJS.WriteStream): StatusLine {
  let lastPlainAt = -Infinity;
  let dirty = false;
  return {
    show(line, always = false) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[K${line.slice(0, (stream.columns || 200) - 1)}`);
        dirty = true;
      } else if (always || Date.now() - lastPlainAt >= 5000) {
        lastPlainAt = Date.now();
        stream.write(line + "\n");
      }
    },
    done() {
      if (dirty) stream.write("\n");
      dirty = false;
    },
  };
}
