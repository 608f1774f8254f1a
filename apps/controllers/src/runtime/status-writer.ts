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
    /** Told of every object written, as the API server returned it (the caches take it before its watch event). */
    private readonly onWritten: (resource: ResourceType, obj: KubeObjectLike) => void = () => undefined,
  ) {}

  async write<S extends object>(
    resource: ResourceType,
    obj: KubeObjectLike & { status?: S },
    status: S,
    reconciler: string,
  ): Promise<boolean> {
    if (!statusChanged(obj.status, status)) return false;
    const written = await this.api.apply<KubeObjectLike>(
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
    if (written) this.onWritten(resource, written);
    return true;
  }
}
