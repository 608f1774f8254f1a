import type { Memory } from '@agents/api';
import { CUSTOM } from '@agents/kube';
import type { ControllerContext } from '../../runtime/controller-context.js';
import type { ControllerSpec, ObjectKey, ReconcileResult, Reconciler } from '../../runtime/controller-runtime.js';
import { memoryStatus } from './memory.status.js';

/** Memories: Ready when their connection Secret (and key) exist. No live backend check. */
export class MemoryReconciler implements Reconciler {
  private readonly memories;

  constructor(private readonly ctx: ControllerContext) {
    this.memories = ctx.runtime.cache<Memory>(CUSTOM.Memory!);
  }

  spec(): ControllerSpec {
    return { name: 'memory', primary: CUSTOM.Memory!, reconciler: this, concurrency: 2 };
  }

  async reconcile({ namespace, name }: ObjectKey): Promise<ReconcileResult | void> {
    const memory = this.memories.get(namespace, name);
    if (!memory || memory.metadata.deletionTimestamp) return;
    const ref = memory.spec.connection?.secretRef?.name;
    const data = ref ? await this.ctx.readSecret(namespace, ref) : undefined;
    const status = memoryStatus(memory, data ? Object.keys(data) : undefined, this.ctx.clock.now());
    await this.ctx.status.write(CUSTOM.Memory!, memory, status);
    // Secrets are not watched (get-only RBAC): look again while it is not resolved.
    return status.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
      ? undefined
      : { requeueAfterMs: 30_000 };
  }
}
