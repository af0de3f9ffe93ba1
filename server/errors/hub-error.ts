export interface HubErrorOptions {
  /** Stable snake_case code clients can branch on. */
  code: string;
  /** HTTP status it maps to. */
  status: number;
  /** Whether `message` may be shown to the caller (internal errors are not). */
  expose?: boolean;
  details?: unknown;
  cause?: unknown;
  headers?: Record<string, string>;
}

/** Base of every error the hub reports to a caller: `{"error":{"code","message","details"}}`. */
export class HubError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(message: string, options: HubErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status;
    this.expose = options.expose ?? options.status < 500;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}
