import type { ImplementationSpec } from '@agents/api';
import { CUSTOM } from '@agents/kube';
import type { ControllerContext } from '../../runtime/controller-context.js';
import type { ControllerSpec, ObjectKey, Reconciler } from '../../runtime/controller-runtime.js';
import { implementationSpecStatus } from './implementation-spec.status.js';

export class ImplementationSpecReconciler implements Reconciler {
  private readonly specs;

  constructor(private readonly ctx: ControllerContext) {
    this.specs = ctx.runtime.cache<ImplementationSpec>(CUSTOM.ImplementationSpec!);
  }

  spec(): ControllerSpec {
    return { name: 'implementationspec', primary: CUSTOM.ImplementationSpec!, reconciler: this, concurrency: 2 };
  }

  async reconcile({ namespace, name }: ObjectKey): Promise<void> {
    const spec = this.specs.get(namespace, name);
    if (!spec || spec.metadata.deletionTimestamp) return;
    await this.ctx.status.write(CUSTOM.ImplementationSpec!, spec, implementationSpecStatus(spec, this.ctx.clock.now()));
  }
}
