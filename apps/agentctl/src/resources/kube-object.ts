import { CliError } from '../cli.errors.js';

/** A Kubernetes object as the control plane returns it (JSON). */
export interface KubeObj {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { phase?: string; reason?: string; message?: string; conditions?: Condition[] };
  [key: string]: unknown;
}

export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export const TERMINAL_PHASES = ['Succeeded', 'Failed', 'Cancelled'] as const;

export function isTerminalPhase(phase: string | undefined): boolean {
  return (TERMINAL_PHASES as readonly (string | undefined)[]).includes(phase);
}

export function nameOf(obj: KubeObj): string {
  return obj.metadata?.name ?? '';
}

/** Parses JSON the control plane sent; `what` names it in the error. */
export function parseServerJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`the control plane returned invalid JSON for ${what}: ${(err as Error).message}`);
  }
}

export function asObject(value: unknown, what: string): KubeObj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`the control plane returned ${what} that is not a JSON object`);
  }
  return value as KubeObj;
}

/** The items of a `{"kind": "List", "items": [...]}` document. */
export function listItems(value: unknown, what: string): KubeObj[] {
  const items = (value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new CliError(`the control plane returned ${what} without an items array`);
  return items.map((item, i) => asObject(item, `${what} item ${i}`));
}

/** The run's phase and why it is there: status.reason/message, else the Succeeded condition's. */
export function runOutcome(run: KubeObj): { phase: string; reason?: string; message?: string } {
  const status = run.status ?? {};
  const succeeded = status.conditions?.find((c) => c.type === 'Succeeded');
  const reason = status.reason ?? succeeded?.reason;
  const message = status.message ?? succeeded?.message;
  return {
    phase: status.phase ?? 'Pending',
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}
