/** One error type for the whole server; routers and HTTP handlers map its code once. */
export const appErrorCodes = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PRECONDITION_FAILED",
  "TOO_MANY_REQUESTS",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

export type AppErrorCode = (typeof appErrorCodes)[number];

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** What the person can do about it, shown next to the message. */
  readonly fix?: string;

  constructor(code: AppErrorCode, message: string, options?: { fix?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "AppError";
    this.code = code;
    this.fix = options?.fix;
  }
}

export const httpStatusOf: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** How a full disk shows up: SQLite's code (through the Prisma adapter or better-sqlite3) or the OS's. */
const diskFullCodes = new Set(["SQLITE_FULL", "ENOSPC", "EDQUOT"]);
const diskFullText = /database or disk is full|no space left on device/i;

/** True when `error`, or anything it was caused by, says the disk is full. */
export function isDiskFull(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const { code, originalCode, message } = current as {
      code?: unknown;
      originalCode?: unknown;
      message?: unknown;
    };
    if (diskFullCodes.has(String(code)) || diskFullCodes.has(String(originalCode))) return true;
    if (typeof message === "string" && diskFullText.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** What a person sees when a write failed for want of space: which disk, and what to do. */
export function diskFullError(home: string, cause?: unknown): AppError {
  return new AppError("UNAVAILABLE", `The disk holding CLAW_HOME (${home}) is full.`, {
    fix: `Free space on that disk (df -h ${home} shows how much is left), or stop the panel and move CLAW_HOME to a larger disk; then try again.`,
    cause,
  });
}

/**
 * The AppError a client should see for `error`: itself when it is one, the disk-full message when
 * the disk is full, else undefined (an internal error, kept to the panel's log).
 */
export function appErrorOf(error: unknown, home: string): AppError | undefined {
  if (isAppError(error)) return error;
  return isDiskFull(error) ? diskFullError(home, error) : undefined;
}
