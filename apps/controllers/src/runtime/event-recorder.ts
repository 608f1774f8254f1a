import { BUILTIN, rfc3339, type KubeApi, type KubeObjectLike } from '@agents/kube';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';

/**
 * Records Kubernetes Events for notable transitions (failures, invalid specs, held runs). Best effort: an Event
 * that cannot be written is logged, never fails a reconcile.
 */
export class EventRecorder {
  private readonly logger = new Logger(EventRecorder.name);

  constructor(
    private readonly api: KubeApi,
    private readonly clock: Clock,
    private readonly component = 'agents-controllers',
    private readonly instance = 'agents-controllers',
  ) {}

  record(obj: KubeObjectLike, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = rfc3339(this.clock.now());
    const m = obj.metadata ?? {};
    this.api
      .create(BUILTIN.event, {
        metadata: { name: `${m.name}.${randomBytes(8).toString('hex')}`, namespace: m.namespace },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: m.name,
          namespace: m.namespace,
          uid: m.uid,
          resourceVersion: m.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      })
      .catch((err: unknown) =>
        this.logger.debug(`Could not record event ${reason} on ${m.namespace}/${m.name}: ${String(err)}`),
      );
  }
}
