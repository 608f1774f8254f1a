import type { Condition } from '@agents/api';
import { isDeepStrictEqual } from 'node:util';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

const MAX_MESSAGE = 1024;

export function truncateMessage(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`;
}

/**
 * Returns the conditions with `input` set (replacing the condition of the same type). lastTransitionTime changes only
 * when the status flips; observedGeneration is always set; an empty reason becomes `Reconciled`; messages are
 * truncated to 1 KiB. Never mutates its input.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  generation: number | undefined,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason || 'Reconciled',
    message: truncateMessage(input.message ?? ''),
    lastTransitionTime:
      previous && previous.status === input.status
        ? previous.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** Status fields that change on every write and never make a write necessary by themselves. */
const VOLATILE = ['updatedAt', 'lastCheckedAt', 'lastValidatedAt'];

/** Whether two statuses differ in anything but their timestamps-of-writing (no-op suppression). */
export function statusChanged(previous: object | undefined, next: object): boolean {
  const strip = (s: object | undefined) => {
    const copy: Record<string, unknown> = { ...(s ?? {}) };
    for (const k of VOLATILE) delete copy[k];
    return JSON.parse(JSON.stringify(copy)) as unknown;
  };
  return !isDeepStrictEqual(strip(previous), strip(next));
}

/** RFC 3339 without fractional seconds, as Kubernetes writes times. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
