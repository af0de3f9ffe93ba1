import { HTTP_ERRORS, HUB_ERROR_CODES, type HttpErrorCode } from "./error-codes.ts";

interface HubErrorOptions {
  /** Stable snake_case code clients can branch on. */
  code: HttpErrorCode;
  /** HTTP status it maps to. */
  status: number;
  /** Whether `message` may be shown to the caller (internal errors are not). */
  expose?: boolean;
  details?: unknown;
  cause?: unknown;
  headers?: Record<string, string>;
}

/** Every error the hub reports to an HTTP caller: `{"error":{"code","message","details"}}`. */
export class HubError extends Error {
  readonly code: HttpErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(message: string, options: HubErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HubError";
    this.code = options.code;
    this.status = options.status;
    this.expose = options.expose ?? options.status < 500;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** The HubError of `code` as HTTP_ERRORS describes it; `message` replaces the default, `headers` add to its own. */
export function hubError(
  code: HttpErrorCode,
  message?: string,
  extra: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
): HubError {
  const spec: { status: number; expose?: boolean; headers?: Record<string, string> } = HTTP_ERRORS[code];
  return new HubError(message ?? HUB_ERROR_CODES[code].message, {
    code,
    status: spec.status,
    ...(spec.expose === undefined ? {} : { expose: spec.expose }),
    details: extra.details,
    cause: extra.cause,
    headers: { ...spec.headers, ...extra.headers },
  });
}
