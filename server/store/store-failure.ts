/**
 * What a failed statement tells about its transaction:
 * - "rolled_back": PostgreSQL answered with an error of the statement (a SQLSTATE outside the
 *   connection and operator-intervention classes): nothing of it was committed.
 * - "not_sent": no connection could be had: it never reached the server.
 * - "unknown": the connection broke while it ran (or during COMMIT): it may or may not have committed.
 */
type FailureKind = "rolled_back" | "not_sent" | "unknown";

interface AdapterCause {
  originalCode?: unknown;
  kind?: unknown;
}

const adapterCause = (error: unknown): AdapterCause | undefined =>
  (error as { meta?: { driverAdapterError?: { cause?: AdapterCause } } })?.meta?.driverAdapterError?.cause;

/** pg's own error (statements run on the pool directly, server/store/sql-runner.ts). */
interface PgError {
  code?: unknown;
  severity?: unknown;
}

/** The SQLSTATE PostgreSQL answered a failed statement with (through Prisma's pg adapter or pg), if any. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = adapterCause(error)?.originalCode;
  if (typeof code === "string") return code;
  const e = error as PgError | null | undefined;
  return typeof e?.code === "string" && typeof e.severity === "string" ? e.code : undefined;
}

/** The socket errors Prisma's pg adapter reports as DatabaseNotReachable. */
const NOT_REACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND"]);

export function classifyStoreFailure(error: unknown): FailureKind {
  if (adapterCause(error)?.kind === "DatabaseNotReachable") return "not_sent";
  const socketCode = (error as PgError | null | undefined)?.code;
  if (typeof socketCode === "string" && NOT_REACHABLE.has(socketCode)) return "not_sent";
  const code = sqlStateOf(error);
  if (code && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("08") && !code.startsWith("57")) return "rolled_back";
  return "unknown";
}
