import { IMPLEMENTATION_SOURCE } from '../kinds.js';
import { commonStatus } from '../schema/common.js';
import { Bool, DateTime, Enum, Int32, Obj, Opt, Str, StrList, StringMap, type Static } from '../schema/dsl.js';
import { ageColumn, readyColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const ImplementationSourceSpec = Obj({
  provider: Enum(['github', 'linear'] as const),
  auth: Obj({
    secretRef: Obj({
      name: Str({ minLength: 1 }),
      key: Opt(Str({ default: 'token', description: 'Key of the webhook signing secret.' })),
    }),
  }),
  webhook: Opt(Obj({ enabled: Opt(Bool({ default: false })) })),
  scope: Opt(
    Obj({
      repository: Opt(Str()),
      organization: Opt(Str()),
      team: Opt(Str()),
      project: Opt(Str()),
      query: Opt(Str()),
      labels: Opt(StrList()),
    }),
  ),
  mapping: Opt(StringMap()),
});
export type ImplementationSourceSpec = Static<typeof ImplementationSourceSpec>;

export const ImplementationSourceStatus = Obj({
  ...commonStatus,
  lastSyncedAt: Opt(DateTime()),
  lastWebhook: Opt(
    Obj({
      idempotencyKey: Opt(Str()),
      deliveryId: Opt(Str()),
      provider: Opt(Str()),
      externalId: Opt(Str()),
      sourceVersion: Opt(Str()),
      receivedAt: Opt(DateTime()),
      processedAt: Opt(DateTime()),
      attempts: Opt(Int32({ minimum: 0 })),
      status: Opt(Str()),
      error: Opt(Str()),
    }),
  ),
});
export type ImplementationSourceStatus = Static<typeof ImplementationSourceStatus>;
export type ImplementationSource = KubeObject<ImplementationSourceSpec, ImplementationSourceStatus>;

export const implementationSourceDefinition: KindDefinition = {
  info: IMPLEMENTATION_SOURCE,
  description: 'A webhook source (GitHub or Linear issues) that keeps ImplementationSpecs in sync.',
  spec: ImplementationSourceSpec,
  specRequired: true,
  status: ImplementationSourceStatus,
  printerColumns: [
    readyColumn,
    { name: 'Provider', type: 'string', jsonPath: '.spec.provider' },
    { name: 'LastSync', type: 'date', jsonPath: '.status.lastSyncedAt' },
    ageColumn,
  ],
};
