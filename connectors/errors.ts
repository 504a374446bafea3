// ConnectorError: every vendor failure as one error with a code from a fixed union, whether it is
// worth retrying, how long to wait, and a JSON form that never carries a token.

export type ConnectorErrorCode =
  | "auth"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  /** The connection must wait (its share of a daily allocation is spent): pause, do not fail. */
  | "paused"
  | "unavailable"
  | "invalid_response"
  | "config";

/** Whether a code is worth retrying by default. */
const RETRYABLE: Record<ConnectorErrorCode, boolean> = {
  auth: false,
  forbidden: false,
  not_found: false,
  rate_limited: true,
  // Not within the invocation: the job pauses until `retryAfterMs` and resumes from its cursor.
  paused: false,
  unavailable: true,
  invalid_response: true,
  config: false,
};

const SECRET_RE =
  /(Bearer\s+)[\w.~+/=-]+|((?:access|refresh)_token["']?\s*[:=]\s*["']?)[\w.~+/=-]+|(client_secret["']?\s*[:=]\s*["']?)[\w.~+/=-]+/gi;

/** Replace anything that looks like a credential with `[redacted]`. */
export function redact(text: string): string {
  return text.replace(
    SECRET_RE,
    (_m, bearer, token, secret) => `${bearer ?? token ?? secret ?? ""}[redacted]`,
  );
}

export interface ConnectorErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  status?: number;
  cause?: unknown;
}

export class ConnectorError extends Error {
  override readonly name = "ConnectorError";
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(code: ConnectorErrorCode, message: string, options: ConnectorErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE[code];
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }

  /** Safe to log or store: code, message and retry facts, never the cause (it may hold a request with a token). */
  toJSON(): {
    name: string;
    code: ConnectorErrorCode;
    message: string;
    retryable: boolean;
    retryAfterMs?: number;
    status?: number;
  } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.status === undefined ? {} : { status: this.status }),
    };
  }
}

/** The code for an HTTP status from a vendor. */
export function codeForStatus(status: number): ConnectorErrorCode {
  if (status === 401) return "auth";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "invalid_response";
}
