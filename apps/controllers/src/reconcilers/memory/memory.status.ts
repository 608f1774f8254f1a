import { ConditionType, MemoryReason, type Memory, type MemoryStatus } from '@agents/api';
import { rfc3339, setCondition } from '@agents/kube';

/** The Memory's connection Secret as read: undefined when it does not exist, else its keys. */
export type SecretKeys = string[] | undefined;

export function memoryStatus(memory: Memory, secret: SecretKeys, now: Date): MemoryStatus {
  const gen = memory.metadata.generation;
  const ref = memory.spec.connection?.secretRef;
  let conditions = memory.status?.conditions;
  const set = (type: string, status: 'True' | 'False', reason: string, message = '') =>
    (conditions = setCondition(conditions, { type, status, reason, message }, gen, now));
  if (!ref?.name) {
    set(ConditionType.Ready, 'False', MemoryReason.MissingSecretRef, 'spec.connection.secretRef.name is required');
    set(ConditionType.InvalidSpec, 'True', MemoryReason.MissingSecretRef, 'spec.connection.secretRef.name is required');
  } else if (secret === undefined) {
    const message = `connection Secret ${ref.name} not found`;
    set(ConditionType.Ready, 'False', MemoryReason.SecretNotFound, message);
    set(ConditionType.Unreachable, 'True', MemoryReason.SecretNotFound, message);
    set(ConditionType.InvalidSpec, 'False', 'ValidSpec');
  } else if (ref.key && !secret.includes(ref.key)) {
    const message = `connection Secret ${ref.name} has no key ${ref.key}`;
    set(ConditionType.Ready, 'False', MemoryReason.SecretKeyMissing, message);
    set(ConditionType.Unreachable, 'False', 'Reachable');
    set(ConditionType.InvalidSpec, 'True', MemoryReason.SecretKeyMissing, message);
  } else {
    set(ConditionType.Ready, 'True', MemoryReason.SecretResolved, 'memory connection resolved');
    set(ConditionType.Unreachable, 'False', 'Reachable');
    set(ConditionType.InvalidSpec, 'False', 'ValidSpec');
  }
  return { ...memory.status, conditions, observedGeneration: gen, lastCheckedAt: rfc3339(now) };
}
