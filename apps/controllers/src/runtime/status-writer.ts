import { rfc3339, statusChanged, type KubeApi, type KubeObjectLike, type ResourceType } from '@agents/kube';
import type { Clock } from './clock.js';

/** Field managers: one per reconciler, so `kubectl get -o yaml --show-managed-fields` tells who wrote what. */
export const fieldManager = (reconciler: string) => `agents-${reconciler}`;

/**
 * Writes a status through the /status subresource, as server-side apply carrying the resourceVersion the status was
 * computed from (a stale cache gets a 409 and a quick retry, never an overwrite), and only when something but the
 * write timestamps changed.
 */
export class StatusWriter {
  constructor(
    private readonly api: KubeApi,
    private readonly clock: Clock,
  ) {}

  async write<S extends object>(
    resource: ResourceType,
    obj: KubeObjectLike & { status?: S },
    status: S,
    reconciler: string,
  ): Promise<boolean> {
    if (!statusChanged(obj.status, status)) return false;
    await this.api.apply(
      resource,
      {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        metadata: {
          name: obj.metadata?.name,
          namespace: obj.metadata?.namespace,
          resourceVersion: obj.metadata?.resourceVersion,
        },
        status: { ...status, updatedAt: rfc3339(this.clock.now()) },
      },
      fieldManager(reconciler),
      { subresource: 'status' },
    );
    return true;
  }
}
