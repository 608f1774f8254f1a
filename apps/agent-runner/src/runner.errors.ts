/** What went wrong on the runner's side (not the provider's): each becomes a failed status and exit code 1. */
export type RunnerErrorCode =
  | 'SpecUnreadable'
  | 'SpecInvalid'
  | 'TemplateInvalid'
  | 'SystemPromptUnreadable'
  | 'SystemPromptMismatch'
  | 'PrepareFailed'
  | 'SpawnFailed';

/** One broken field of an input file: which one, what was expected, what was there. */
export interface FieldViolation {
  field: string;
  expected: string;
  received: string;
}

export class RunnerError extends Error {
  readonly violations: FieldViolation[];

  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    options: { cause?: unknown; violations?: FieldViolation[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunnerError';
    this.violations = options.violations ?? [];
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
