/**
 * Typed errors with stable codes. The CLI maps them to exit codes; logs carry the code
 * so an operator can grep for one kind of failure across runs.
 */

export type ErrorCode =
  | 'E_CONFIG' // mirror.yaml or a file it names is wrong: exit 2
  | 'E_USAGE' // bad command line: exit 2
  | 'E_LOCKED' // another run holds the mirror's lock: exit 3
  | 'E_HTTP' // the upstream answered with an error status
  | 'E_NETWORK' // connection failed, reset or timed out
  | 'E_XMLRPC_FAULT' // the XML-RPC endpoint returned a fault
  | 'E_RATE_LIMITED' // 429 or XML-RPC fault -32500
  | 'E_STALE' // the upstream served metadata older than its change feed promised
  | 'E_INVALID_UPSTREAM' // an upstream document failed validation
  | 'E_TOO_LARGE' // a body exceeded its limit or its declared size
  | 'E_HASH_MISMATCH' // downloaded bytes do not match the declared sha256 or size
  | 'E_UNSAFE' // a filename, URL or host the mirror refuses to use
  | 'E_STORAGE' // the mirror's disk failed (ENOSPC, EACCES, ...)
  | 'E_INTERRUPTED'; // SIGTERM/SIGINT: work not started; the resumed run does it

export class JubjubError extends Error {
  readonly code: ErrorCode;
  /** Worth another attempt with backoff: the same request may succeed later. */
  readonly transient: boolean;
  /** Seconds the upstream asked us to wait (Retry-After), if it said. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { transient?: boolean; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'JubjubError';
    this.code = code;
    this.transient = opts.transient ?? false;
    this.retryAfter = opts.retryAfter;
  }
}

/** A mistake the user can fix: printed as one line, exit 2. */
export class ConfigError extends JubjubError {
  constructor(message: string) {
    super('E_CONFIG', message);
    this.name = 'ConfigError';
  }
}

export class UsageError extends JubjubError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}

export class LockedError extends JubjubError {
  constructor(message: string) {
    super('E_LOCKED', message);
    this.name = 'LockedError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown): string {
  if (err instanceof JubjubError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_INTERNAL';
}
