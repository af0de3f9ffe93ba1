import { HoldingEnd, type EndRequest } from "../store/end-holdings.ts";
import type { HolderGrant } from "../store/holder-grant.ts";
import type { Position } from "../store/record-positions.ts";
import type { SessionDeps, SessionEnd } from "./session-deps.ts";

export interface EndFacts {
  position: Position;
  lease: bigint;
  grant: Pick<HolderGrant, "failures" | "wakeSeq">;
  /** Something was acked during this holding. */
  progressed: boolean;
  /** The instance a transfer goes to. */
  to: string | null;
  backoffMs: (failures: number) => number;
}

/**
 * What ending a holding asks the store for. Failures count backoffs in a row without progress: a
 * backoff after progress is the first again; any other end keeps the count unless it progressed.
 */
export function endRequestOf(kind: HoldingEnd, f: EndFacts): EndRequest {
  const failures = kind === HoldingEnd.backoff ? (f.progressed ? 1 : f.grant.failures + 1) : f.progressed ? 0 : f.grant.failures;
  return {
    ...f.position,
    lease: f.lease,
    end: kind,
    delayMs: kind === HoldingEnd.backoff ? f.backoffMs(failures) : 0,
    failures,
    wakeSeq: f.grant.wakeSeq,
    to: f.to,
  };
}

export interface WriteEndDeps {
  end: SessionDeps["end"];
  canSend: () => boolean;
  done: (result: SessionEnd) => void;
  /** Schedules another try (the holding cancels it if it is abandoned meanwhile). */
  later: (retry: () => void) => void;
}

/**
 * Writes the end until the store answers. While this instance is alive an unanswered end is tried
 * again; once it may have lapsed the holding is given up without a write (its lease fences it anyway).
 */
export function writeEnd(request: EndRequest, deps: WriteEndDeps): void {
  const attempt = () =>
    deps.end(request).then(
      (result) => (result ? deps.done(result) : again()),
      () => again(),
    );
  const again = () => {
    if (!deps.canSend()) return deps.done({ state: "lapsed", lease: request.lease, lastSeq: null });
    deps.later(() => void attempt());
  };
  void attempt();
}
