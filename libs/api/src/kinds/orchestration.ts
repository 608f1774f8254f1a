import { ORCHESTRATION, ORCHESTRATION_RUN } from '../kinds.js';
import { LocalRef, phaseStatus } from '../schema/common.js';
import {
  DateTime,
  Int32,
  List,
  Obj,
  OpenObj,
  Opt,
  Schemaless,
  Str,
  StrList,
  StringMap,
  type Static,
} from '../schema/dsl.js';
import { ageColumn, phaseColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

/** One step. Steps are open objects: kind-specific keys (implementationSpecRef, runtime, signalRef…) are kept. */
export const OrchestrationStep = OpenObj({
  name: Str({ minLength: 1, maxLength: 63 }),
  kind: Str({
    minLength: 1,
    description: 'AgentRun, ToolRun, SubOrchestration, ApprovalGate, SignalWait, Checkpoint or MemoryOp.',
  }),
  dependsOn: Opt(StrList()),
  agentRef: Opt(LocalRef),
  toolRef: Opt(LocalRef),
  orchestrationRef: Opt(LocalRef),
  policyRef: Opt(Str()),
  retries: Opt(Int32({ minimum: 0 })),
  retryBackoffSeconds: Opt(Int32({ minimum: 0 })),
  timeoutSeconds: Opt(Int32({ minimum: 0 })),
  with: Opt(StringMap()),
});
export type OrchestrationStep = Static<typeof OrchestrationStep>;

export const OrchestrationSpec = Obj({
  entrypoint: Opt(Str()),
  steps: List(OrchestrationStep, { minItems: 1, maxItems: 1000 }),
  policies: Opt(Schemaless()),
});
export type OrchestrationSpec = Static<typeof OrchestrationSpec>;

export const OrchestrationStatus = Obj({ ...phaseStatus });
export type OrchestrationStatus = Static<typeof OrchestrationStatus>;
export type Orchestration = KubeObject<OrchestrationSpec, OrchestrationStatus>;

export const orchestrationDefinition: KindDefinition = {
  info: ORCHESTRATION,
  description: 'A reusable graph of steps: agent runs, tool runs, sub-orchestrations and approval gates.',
  spec: OrchestrationSpec,
  specRequired: true,
  status: OrchestrationStatus,
  printerColumns: [phaseColumn, { name: 'Entrypoint', type: 'string', jsonPath: '.spec.entrypoint' }, ageColumn],
};

export const OrchestrationRunSpec = Obj({
  orchestrationRef: LocalRef,
  parameters: Opt(StringMap()),
  deliveryId: Opt(Str()),
});
export type OrchestrationRunSpec = Static<typeof OrchestrationRunSpec>;

export const StepStatus = OpenObj({
  name: Opt(Str()),
  kind: Opt(Str()),
  phase: Opt(Str()),
  message: Opt(Str()),
  startedAt: Opt(DateTime()),
  finishedAt: Opt(DateTime()),
  lastTransitionTime: Opt(DateTime()),
  resourceRef: Opt(Schemaless()),
  outputs: Opt(Schemaless()),
  attempt: Opt(Int32()),
  nextRetryAt: Opt(DateTime()),
});
export type StepStatus = Static<typeof StepStatus>;

export const OrchestrationRunStatus = Obj({
  ...phaseStatus,
  runId: Opt(Str()),
  startedAt: Opt(DateTime()),
  finishedAt: Opt(DateTime()),
  stepStatuses: Opt(List(StepStatus, { maxItems: 1000 })),
});
export type OrchestrationRunStatus = Static<typeof OrchestrationRunStatus>;
export type OrchestrationRun = KubeObject<OrchestrationRunSpec, OrchestrationRunStatus>;

export const orchestrationRunDefinition: KindDefinition = {
  info: ORCHESTRATION_RUN,
  description: 'One execution of an Orchestration with its parameters.',
  spec: OrchestrationRunSpec,
  specRequired: true,
  status: OrchestrationRunStatus,
  printerColumns: [
    phaseColumn,
    { name: 'Orchestration', type: 'string', jsonPath: '.spec.orchestrationRef.name' },
    { name: 'RunId', type: 'string', jsonPath: '.status.runId' },
    ageColumn,
  ],
};
