/**
 * The runner's terminal status (the container's termination message) and its exit code, from how the run ended.
 * Pure: the caller passes the timestamps, the stderr tail and the artifacts that exist.
 */
import type { ArtifactRef, RunnerStatusFile } from '@agents/api';
import { constants } from 'node:os';

/** Kubernetes keeps at most 4096 bytes of a termination message; stay under it. */
export const MAX_STATUS_BYTES = 4000;
export const MAX_ERROR_CHARS = 640;
const MAX_NAME_CHARS = 256;

export type RunEnd =
  /** The provider exited by itself (any code, or killed by a signal nobody on our side sent). */
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null }
  /** The runner stopped the provider after timeoutSeconds. */
  | { kind: 'timed-out'; exitCode: number | null; signal: NodeJS.Signals | null; timeoutSeconds: number }
  /** The runner got SIGTERM/SIGINT; the provider may not have started (exitCode and signal null). */
  | { kind: 'cancelled'; exitCode: number | null; signal: NodeJS.Signals | null; cancelSignal: NodeJS.Signals }
  /** The runner could not run the provider (bad input files, spawn failure…). */
  | { kind: 'runner-error'; error: string };

export interface StatusInput {
  end: RunEnd;
  startedAt: Date;
  finishedAt: Date;
  provider?: string;
  binary?: string;
  /** The provider's last stderr lines, oldest first: the error of a failed run. */
  stderrTail?: string[];
  /** Declared artifacts that exist. */
  artifacts?: ArtifactRef[];
  /** The loop control file as read at the end (a workflow loop iteration). */
  loopControl?: LoopControlRead;
}

/** The loop control file of a loop iteration: absent, a JSON object, or why it is unusable. */
export type LoopControlRead =
  { kind: 'absent' } | { kind: 'control'; control: Record<string, unknown> } | { kind: 'invalid'; why: string };

/** What a loop control file's text is (pure: the caller reads the file). */
export function parseLoopControl(text: string | undefined, path: string): LoopControlRead {
  if (text === undefined) return { kind: 'absent' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', why: `${path} is not JSON` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'invalid', why: `${path} does not hold a JSON object` };
  return { kind: 'control', control: value as Record<string, unknown> };
}

export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

/** Keeps the start of a text within max characters. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Keeps the end of a text within max characters (the last lines of a log say most). */
export function truncateStart(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

function providerEnd(exitCode: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${exitCode}`;
}

function withStderr(message: string, tail: string[] | undefined): string {
  const text = (tail ?? []).join('\n').trim();
  if (!text) return message;
  const head = `${message}; stderr: `;
  return head + truncateStart(text, Math.max(0, MAX_ERROR_CHARS - head.length));
}

export function outcomeOf(end: RunEnd): RunnerStatusFile['status'] {
  if (end.kind === 'cancelled') return 'cancelled';
  if (end.kind === 'exited' && end.exitCode === 0 && !end.signal) return 'succeeded';
  return 'failed';
}

/** Why the run did not succeed (undefined when it did). */
export function errorOf(end: RunEnd, stderrTail?: string[]): string | undefined {
  switch (end.kind) {
    case 'runner-error':
      return end.error;
    case 'timed-out':
      return withStderr(`timed out after ${end.timeoutSeconds}s`, stderrTail);
    case 'cancelled':
      return `cancelled by ${end.cancelSignal}`;
    case 'exited':
      return outcomeOf(end) === 'succeeded' ? undefined : withStderr(providerEnd(end.exitCode, end.signal), stderrTail);
  }
}

/**
 * The runner's exit code: the provider's (128 + signal number when a signal killed it); 1 when the runner itself
 * failed; never 0 for a run that did not succeed.
 */
export function exitCodeOf(end: RunEnd): number {
  if (end.kind === 'runner-error') return 1;
  const own = end.signal ? 128 + signalNumber(end.signal) : (end.exitCode ?? 1);
  if (own !== 0 || outcomeOf(end) === 'succeeded') return own;
  return end.kind === 'cancelled' ? 128 + signalNumber(end.cancelSignal) : 1;
}

/** Drops artifacts, then shortens names and the error, until the JSON fits in maxBytes. */
export function fitStatus(status: RunnerStatusFile, maxBytes = MAX_STATUS_BYTES): RunnerStatusFile {
  const size = (s: RunnerStatusFile) => Buffer.byteLength(JSON.stringify(s), 'utf8');
  const fitted: RunnerStatusFile = { ...status, ...(status.artifacts ? { artifacts: [...status.artifacts] } : {}) };
  while (size(fitted) > maxBytes && fitted.artifacts?.length) fitted.artifacts.pop();
  if (fitted.artifacts?.length === 0 && status.artifacts?.length) delete fitted.artifacts;
  for (const key of ['binary', 'provider'] as const) {
    const v = fitted[key];
    if (size(fitted) > maxBytes && v) fitted[key] = truncate(v, 64);
  }
  while (size(fitted) > maxBytes && fitted.error) {
    fitted.error = fitted.error.length > 16 ? truncate(fitted.error, Math.floor(fitted.error.length / 2)) : undefined;
  }
  // A loop control the termination message cannot carry is reported, never cut: a cut one would decide wrongly.
  if (size(fitted) > maxBytes && fitted.loopControl) {
    delete fitted.loopControl;
    fitted.loopControlError = 'the loop control is too large for the termination message (keep it under 3 KiB)';
  }
  return fitted;
}

export function runnerStatus(input: StatusInput): RunnerStatusFile {
  const { end } = input;
  const error = errorOf(end, input.stderrTail);
  const status: RunnerStatusFile = {
    status: outcomeOf(end),
    exitCode: end.kind === 'runner-error' ? null : end.exitCode,
    signal: end.kind === 'runner-error' ? null : end.signal,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    ...(input.provider !== undefined ? { provider: truncate(input.provider, MAX_NAME_CHARS) } : {}),
    ...(input.binary !== undefined ? { binary: truncate(input.binary, MAX_NAME_CHARS) } : {}),
    ...(error !== undefined ? { error: truncate(error, MAX_ERROR_CHARS) } : {}),
    artifacts: input.artifacts ?? [],
    ...(input.loopControl?.kind === 'control' ? { loopControl: input.loopControl.control } : {}),
    ...(input.loopControl?.kind === 'invalid' ? { loopControlError: truncate(input.loopControl.why, 256) } : {}),
  };
  return fitStatus(status);
}
