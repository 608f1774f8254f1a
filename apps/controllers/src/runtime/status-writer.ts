import jsonMergePatch from 'json-merge-patch';
import { rfc3339, statusChanged, type KubeApi, type KubeObjectLike, type ResourceType } from '@agents/kube';
import type { Clock } from './clock.js';

/** Field managers: one per reconciler, so `kubectl get -o yaml --show-managed-fields` tells who wrote what. */
export const fieldManager = (reconciler: string) => `agents-${reconciler}`;

/** The field manager of every status write (REFERENCE.md, "Generic status write rules"). */
export const STATUS_FIELD_MANAGER = 'agents-status';

/**
 * The JSON merge patch (RFC 7386) that turns the stored status into the next one: changed and new fields, and null
 * for every field the next status no longer has. Both sides go through JSON first, so a field set to undefined is
 * a field removed, as it would be on the wire.
 */
export function statusPatch(previous: object | undefined, next: object): Record<string, unknown> {
  const json = (v: object | undefined) => JSON.parse(JSON.stringify(v ?? {})) as object;
  return (jsonMergePatch.generate(json(previous), json(next)) ?? {}) as Record<string, unknown>;
}

/**
 * Writes a status through the /status subresource, only when something but the write timestamps changed, as a JSON
 * merge patch of what changed that carries the resourceVersion the status was computed from (a stale cache gets a
 * 409 and a quick retry, never an overwrite), as REFERENCE.md's generic status write rules have it.
 *
 * Not server-side apply: during a burst of AgentRuns the API server spent 7.6 % of its CPU parsing applied statuses
 * as YAML and merging them field by field (bench/README.md), and each kind's status has one writer, its reconciler.
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
  ): Promise<boolean> {
    if (!statusChanged(obj.status, status)) return false;
    const written = await this.api.mergePatch<KubeObjectLike>(
      resource,
      obj.metadata?.namespace,
      obj.metadata!.name!,
      {
        metadata: { resourceVersion: obj.metadata?.resourceVersion },
        status: statusPatch(obj.status, { ...status, updatedAt: rfc3339(this.clock.now()) }),
      },
      { subresource: 'status', fieldManager: STATUS_FIELD_MANAGER },
    );
    if (written) this.onWritten(resource, written);
    return true;
  }
}
