import { IMPLEMENTATION_SPEC } from '../kinds.js';
import { ImplementationSpecFields, commonStatus } from '../schema/common.js';
import { DateTime, Obj, Opt, Str, type Static } from '../schema/dsl.js';
import { ageColumn, readyColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const ImplementationSpecSpec = ImplementationSpecFields;
export type ImplementationSpecSpec = Static<typeof ImplementationSpecSpec>;

export const ImplementationSpecStatus = Obj({ ...commonStatus, syncedAt: Opt(DateTime()), sourceVersion: Opt(Str()) });
export type ImplementationSpecStatus = Static<typeof ImplementationSpecStatus>;
export type ImplementationSpec = KubeObject<ImplementationSpecSpec, ImplementationSpecStatus>;

export const implementationSpecDefinition: KindDefinition = {
  info: IMPLEMENTATION_SPEC,
  description: 'A task for an agent: its text (the prompt), summary, acceptance criteria and provenance.',
  spec: ImplementationSpecSpec,
  specRequired: true,
  status: ImplementationSpecStatus,
  printerColumns: [
    readyColumn,
    { name: 'Source', type: 'string', jsonPath: '.spec.source.provider' },
    { name: 'Updated', type: 'date', jsonPath: '.status.syncedAt' },
    ageColumn,
  ],
};
