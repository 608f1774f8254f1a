import { LABEL_PREFIX } from '@agents/api';
import type { KubeObjectLike } from '@agents/kube';

type Obj = KubeObjectLike & { metadata?: Record<string, unknown>; status?: Record<string, unknown>; spec?: unknown };

/** Strings longer than this are rarely shared between objects (prompts, terminal messages): kept as they are. */
const MAX_INTERNED_LENGTH = 256;

/**
 * One copy of each short string the caches hold. JSON parsing gives every object its own copy of the namespace, the
 * apiVersion, label values, condition reasons and messages; at 10,000 runs those copies are about a third of the
 * cached strings. Bounded: when full it starts over (what was shared stays shared), so unique values (uids,
 * resourceVersions) cannot make it grow without end.
 */
export class StringInterner {
  private pool = new Map<string, string>();

  constructor(private readonly maxEntries = 50_000) {}

  get size(): number {
    return this.pool.size;
  }

  intern(s: string): string {
    if (s.length > MAX_INTERNED_LENGTH) return s;
    const shared = this.pool.get(s);
    if (shared !== undefined) return shared;
    if (this.pool.size >= this.maxEntries) this.pool = new Map();
    this.pool.set(s, s);
    return s;
  }

  /**
   * Replaces, in place, every short string value under `value` by its shared copy. In place is safe: a string is
   * replaced by an equal one, so whoever else holds the object sees no difference.
   */
  internAll<T>(value: T): T {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v === 'string') value[i] = this.intern(v);
        else if (v !== null && typeof v === 'object') this.internAll(v);
      }
    } else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      for (const k in o) {
        const v = o[k];
        if (typeof v === 'string') o[k] = this.intern(v);
        else if (v !== null && typeof v === 'object') this.internAll(v);
      }
    }
    return value;
  }
}

function without(map: unknown, drop: (key: string) => boolean): Record<string, string> | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const entries = Object.entries(map as Record<string, string>).filter(([k]) => !drop(k));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Metadata without what no reconciler reads (managedFields, last-applied copies). */
function slimMetadata(o: Obj): Record<string, unknown> {
  const { managedFields: _m, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
  if (metadata.annotations)
    metadata.annotations = without(
      metadata.annotations,
      (k) => k === 'kubectl.kubernetes.io/last-applied-configuration',
    );
  return metadata;
}

/**
 * The metadata of an object we own (a Job, a pod): identity, ownership and our own labels and annotations. The job
 * controller's labels (`job-name`, `controller-uid`, each twice), its tracking finalizer and annotation are not read.
 */
function ownedMetadata(o: Obj): Record<string, unknown> {
  const m = (o.metadata ?? {}) as Record<string, unknown>;
  const foreign = (k: string) => !k.startsWith(LABEL_PREFIX);
  return {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
    labels: without(m.labels, foreign),
    annotations: without(m.annotations, foreign),
    ownerReferences: m.ownerReferences,
  };
}

const customResource = (o: Obj): Obj => ({ ...o, metadata: slimMetadata(o) });

/** Jobs: identity, ownership and the status fields the run status is computed from; the pod template is dropped. */
const job = (o: Obj): Obj => {
  const s = (o.status ?? {}) as Record<string, unknown>;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: ownedMetadata(o),
    status: {
      // Type, status, reason and message: the probe and transition times are not read.
      conditions: (s.conditions as Record<string, unknown>[] | undefined)?.map(({ type, status, reason, message }) => ({
        type,
        status,
        reason,
        message,
      })),
      active: s.active,
      succeeded: s.succeeded,
      failed: s.failed,
      startTime: s.startTime,
      completionTime: s.completionTime,
    },
  };
};

/** How a container exited: code, reason and message (where the runner's terminal JSON arrives). */
const exit = ({ exitCode, reason, message }: Record<string, unknown>) => ({ exitCode, reason, message });

/** Pods: ownership, phase and each container's exit. */
const pod = (o: Obj): Obj => {
  const s = (o.status ?? {}) as {
    phase?: string;
    containerStatuses?: { name: string; state?: { terminated?: Record<string, unknown> } }[];
  };
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: ownedMetadata(o),
    status: {
      phase: s.phase,
      containerStatuses: (s.containerStatuses ?? []).map((c) => ({
        name: c.name,
        state: c.state?.terminated ? { terminated: exit(c.state.terminated) } : {},
      })),
    },
  };
};

/**
 * What each cache keeps of an object (PERF P6: 10k runs + 10k Jobs within 256 MiB), with its short strings shared
 * through one interner. Keyed `<group>/<plural>`.
 */
export function cacheTransforms(
  customResources: readonly { group: string; plural: string }[],
  interner = new StringInterner(),
): Map<string, (o: KubeObjectLike) => KubeObjectLike> {
  const shared =
    (f: (o: Obj) => Obj) =>
    (o: KubeObjectLike): KubeObjectLike =>
      interner.internAll(f(o as Obj));
  const m = new Map<string, (o: KubeObjectLike) => KubeObjectLike>([
    ['batch/jobs', shared(job)],
    ['/pods', shared(pod)],
  ]);
  for (const r of customResources) m.set(`${r.group}/${r.plural}`, shared(customResource));
  return m;
}
