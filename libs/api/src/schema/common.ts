import { Bool, DateTime, Enum, Int32, Int64, List, Obj, Opt, Str, StrList, StringMap, type Static } from './dsl.js';

/** A reference to another object of the same namespace. */
export const LocalRef = Obj({
  name: Str({ minLength: 1, description: 'Name of the referenced object in the same namespace.' }),
});
export type LocalRef = Static<typeof LocalRef>;

export const SecretKeyRef = Obj({ name: Str({ minLength: 1 }), key: Opt(Str()) });

export const SystemPromptRef = Obj(
  {
    kind: Enum(['Secret', 'ConfigMap'] as const),
    name: Str({ minLength: 1 }),
    key: Str({ minLength: 1 }),
  },
  { description: 'A system prompt stored under one key of a Secret or ConfigMap of the same namespace.' },
);
export type SystemPromptRef = Static<typeof SystemPromptRef>;

export const ArtifactRef = Obj({
  name: Str({ minLength: 1 }),
  path: Opt(Str()),
  key: Opt(Str()),
  url: Opt(Str({ maxLength: 2048 })),
});
export type ArtifactRef = Static<typeof ArtifactRef>;

export const ImplementationSourceRef = Obj({
  provider: Enum(['github', 'linear', 'manual', 'custom'] as const),
  externalId: Opt(Str()),
  url: Opt(Str()),
});

/** What an agent is asked to implement: the user prompt comes only from `text`. */
export const ImplementationSpecFields = Obj({
  text: Str({ maxLength: 131072, description: 'The task, in full. It becomes the agent prompt.' }),
  summary: Opt(Str({ maxLength: 256 })),
  description: Opt(Str({ maxLength: 131072 })),
  acceptanceCriteria: Opt(StrList({ maxItems: 50 })),
  labels: Opt(StrList()),
  source: Opt(ImplementationSourceRef),
  contract: Opt(
    Obj({
      requiredKeys: Opt(StrList({ maxItems: 50 })),
      mappings: Opt(List(Obj({ from: Str({ maxLength: 256 }), to: Str({ maxLength: 256 }) }), { maxItems: 100 })),
    }),
  ),
  vcsRef: Opt(LocalRef),
});
export type ImplementationSpecFields = Static<typeof ImplementationSpecFields>;

export const Resources = Obj({ requests: Opt(StringMap()), limits: Opt(StringMap()) });

export const WorkloadVolume = Obj({
  type: Enum(['emptyDir', 'pvc', 'secret'] as const),
  name: Str({ minLength: 1 }),
  mountPath: Str({ minLength: 1 }),
  readOnly: Opt(Bool()),
  claimName: Opt(Str()),
  secretName: Opt(Str()),
  sizeLimit: Opt(Str()),
  medium: Opt(Str()),
});
export type WorkloadVolume = Static<typeof WorkloadVolume>;

export const WorkloadSpec = Obj({
  image: Opt(Str({ description: 'Container image; overrides the provider image and the controller default.' })),
  resources: Opt(Resources),
  volumes: Opt(List(WorkloadVolume)),
});
export type WorkloadSpec = Static<typeof WorkloadSpec>;

export const EnvVar = Obj({ name: Str({ minLength: 1 }), value: Str() });

export const Subject = Obj({ kind: Str({ minLength: 1 }), name: Str({ minLength: 1 }), namespace: Opt(Str()) });

/** metav1.Condition. */
export const Condition = Obj({
  type: Str({
    maxLength: 316,
    pattern:
      '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
  }),
  status: Enum(['True', 'False', 'Unknown'] as const),
  observedGeneration: Opt(Int64({ minimum: 0 })),
  lastTransitionTime: DateTime(),
  reason: Str({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
  message: Str({ maxLength: 32768 }),
});
export type Condition = Static<typeof Condition>;

/** The status fields every kind has. */
export const commonStatus = {
  conditions: Opt(
    List(Condition, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], maxItems: 32 }),
  ),
  observedGeneration: Opt(Int64({ minimum: 0 })),
  updatedAt: Opt(DateTime()),
};

/** The status of the kinds whose state is one phase word. */
export const phaseStatus = { phase: Opt(Str()), ...commonStatus };

export { Int32 };
