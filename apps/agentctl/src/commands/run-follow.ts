// Following a run: its status until it is finished, its events until they end; reconnects after a broken stream.
import type { StreamAgentRunLogsResponse } from '@agents/proto/client';
import { CliError, EXIT } from '../cli.errors.js';
import type { RunStatusUpdate } from '../grpc/control-plane.client.js';
import { isTerminalPhase } from '../resources/kube-object.js';
import type { CommandScope } from './runtime.js';

/** Reconnects after a stream that broke once it was open (never when the first connection fails). */
export const MAX_RECONNECTS = 5;

function backoff(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), 5000);
}

function retryable(err: unknown): err is CliError {
  return err instanceof CliError && err.exitCode === EXIT.unavailable;
}

/** Calls `onUpdate` for every status the control plane sends; resolves with the terminal one. */
export async function followRunStatus(
  scope: CommandScope,
  namespace: string,
  name: string,
  onUpdate: (u: RunStatusUpdate) => void,
): Promise<RunStatusUpdate> {
  let last: RunStatusUpdate | undefined;
  let failures = 0;
  for (;;) {
    let lastError: CliError;
    try {
      for await (const update of scope.client().runStatus(namespace, name)) {
        last = update;
        failures = 0;
        onUpdate(update);
        if (isTerminalPhase(update.phase)) return update;
      }
      lastError = new CliError(
        last
          ? `the status stream of agentrun ${name} ended while the run was ${last.phase}`
          : `the control plane ended the status stream of agentrun ${name} without sending its status`,
      );
      if (!last) throw lastError;
    } catch (err) {
      if (!last || !retryable(err)) throw err;
      lastError = err;
    }
    failures++;
    if (failures > MAX_RECONNECTS) throw lastError;
    await scope.deps.delay(backoff(failures));
  }
}

/** Calls `onEvent` for each event of the run, resuming after the last id when a follow stream breaks. */
export async function followRunLogs(
  scope: CommandScope,
  namespace: string,
  name: string,
  opts: { follow: boolean; afterId: number },
  onEvent: (e: StreamAgentRunLogsResponse) => void,
): Promise<void> {
  let afterId = opts.afterId;
  let failures = 0;
  let connectedOnce = false;
  for (;;) {
    try {
      for await (const event of scope.client().runLogs(namespace, name, opts.follow, afterId)) {
        connectedOnce = true;
        failures = 0;
        if (event.id) afterId = Math.max(afterId, event.id);
        onEvent(event);
      }
      return;
    } catch (err) {
      if (!opts.follow || !connectedOnce || !retryable(err)) throw err;
      failures++;
      if (failures > MAX_RECONNECTS) throw err;
    }
    await scope.deps.delay(backoff(failures));
  }
}
