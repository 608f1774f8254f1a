import type { KubeObjectLike } from '@agents/kube';

type Obj = KubeObjectLike & { metadata?: Record<string, unknown>; status?: Record<string, unknown>; spec?: unknown };

/** Metadata without what no reconciler reads (managedFields, last-applied copies). */
function slimMetadata(o: Obj): Record<string, unknown> {
  const { managedFields: _m, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _l, ...rest } = annotations;
    metadata.annotations = rest;
  }
  return metadata;
}

const customResource = (o: Obj): Obj => ({ ...o, metadata: slimMetadata(o) });

/** Jobs: identity, ownership and the status fields the run status is computed from; the pod template is dropped. */
const job = (o: Obj): Obj => {
  const s = (o.status ?? {}) as Record<string, unknown>;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: slimMetadata(o),
    status: {
      conditions: s.conditions,
      active: s.active,
      succeeded: s.succeeded,
      failed: s.failed,
      startTime: s.startTime,
      completionTime: s.completionTime,
    },
  };
};

/** Pods: ownership, phase and each container's termination (where the runner's terminal JSON arrives). */
const pod = (o: Obj): Obj => {
  const s = (o.status ?? {}) as {
    phase?: string;
    containerStatuses?: { name: string; state?: { terminated?: Record<string, unknown> } }[];
  };
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: slimMetadata(o),
    status: {
      phase: s.phase,
      containerStatuses: (s.containerStatuses ?? []).map((c) => ({
        name: c.name,
        state: c.state?.terminated ? { terminated: c.state.terminated } : {},
      })),
    },
  };
};

/**
 * What each cache keeps of an object (PERF P6: 10k runs + 10k Jobs within 256 MiB). Keyed `<group>/<plural>`.
 */
export function cacheTransforms(
  customResources: readonly { group: string; plural: string }[],
): Map<string, (o: KubeObjectLike) => KubeObjectLike> {
  const m = new Map<string, (o: KubeObjectLike) => KubeObjectLike>([
    ['batch/jobs', job as (o: KubeObjectLike) => KubeObjectLike],
    ['/pods', pod as (o: KubeObjectLike) => KubeObjectLike],
  ]);
  for (const r of customResources)
    m.set(`${r.group}/${r.plural}`, customResource as (o: KubeObjectLike) => KubeObjectLike);
  return m;
}
