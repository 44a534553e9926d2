/** The exit codes: 1 what was asked for failed, 2 a wrong command line, 3 no panel, 4 no permission. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, panelUnreachable: 3, refused: 4 } as const;

/** An error the CLI prints as is, with the exit code it should end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
