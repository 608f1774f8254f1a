import { MEMORY } from '../kinds.js';
import { SecretKeyRef, commonStatus } from '../schema/common.js';
import { Bool, DateTime, Enum, Obj, Opt, StrList, type Static } from '../schema/dsl.js';
import { ageColumn, readyColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const MemorySpec = Obj({
  type: Enum(['postgres', 'redis', 'weaviate', 'pinecone', 'custom'] as const),
  connection: Obj({ secretRef: SecretKeyRef }),
  capabilities: Opt(StrList({ description: 'What the store offers, e.g. vector, kv, blob.' })),
  default: Opt(Bool({ default: false, description: 'Used by runs whose agent names no memory.' })),
});
export type MemorySpec = Static<typeof MemorySpec>;

export const MemoryStatus = Obj({ ...commonStatus, lastCheckedAt: Opt(DateTime()) });
export type MemoryStatus = Static<typeof MemoryStatus>;
export type Memory = KubeObject<MemorySpec, MemoryStatus>;

export const memoryDefinition: KindDefinition = {
  info: MEMORY,
  description: 'A memory store agents can use, reached through the connection in a Secret.',
  spec: MemorySpec,
  specRequired: true,
  status: MemoryStatus,
  printerColumns: [
    readyColumn,
    { name: 'Type', type: 'string', jsonPath: '.spec.type' },
    { name: 'Default', type: 'boolean', jsonPath: '.spec.default' },
    ageColumn,
  ],
};
