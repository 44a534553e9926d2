/** The shape of a tRPC client error as far as the UI needs it: what went wrong and what to do. */
export type ActionError = { message: string; data?: unknown } | null | undefined;

/** The command or step the server attached to a refusal (`AppError`'s `fix`), if any. */
export function fixOf(error: ActionError): string | undefined {
  const data = error?.data;
  if (data && typeof data === "object" && "fix" in data && typeof data.fix === "string") return data.fix;
  return undefined;
}

/**
 * An input the server's zod schema refused carries its issues beside a JSON message: say them as
 * sentences instead (`prompt: Too big…`). Anything else passes through with its fix.
 */
export function readableError(error: ActionError): ActionError {
  const data = error?.data;
  if (!error || !data || typeof data !== "object" || !("issues" in data) || !Array.isArray(data.issues))
    return error;
  const issues = data.issues as { path: string; message: string }[];
  if (issues.length === 0) return error;
  return {
    ...error,
    message: issues
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join("\n"),
  };
}
