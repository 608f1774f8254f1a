/** Exit codes of agentctl (documented in `agentctl --help`). */
export const EXIT = {
  ok: 0,
  /** The request failed (rejected by the control plane, not found, …) or the awaited run did not succeed. */
  failure: 1,
  /** The command line, the environment or the config file is wrong: nothing was sent. */
  usage: 2,
  /** The control plane could not be reached or did not answer in time. */
  unavailable: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error meant for the user: its message is printed as is (never a stack trace) and decides the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
