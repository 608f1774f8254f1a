import {
  APPROVAL_POLICY,
  ARTIFACT,
  BUDGET,
  SCHEDULE,
  SECRET_BINDING,
  SIGNAL,
  SIGNAL_DELIVERY,
  TOOL,
  TOOL_RUN,
  WORKSPACE,
} from '../kinds.js';
import { EnvVar, LocalRef, Subject, phaseStatus } from '../schema/common.js';
import {
  Bool,
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

// ApprovalPolicy ------------------------------------------------------------------------------------------------
export const ApprovalPolicySpec = OpenObj({
  mode: Opt(Str()),
  defaultDecision: Opt(Str()),
  subjects: Opt(List(Subject)),
});
export type ApprovalPolicySpec = Static<typeof ApprovalPolicySpec>;
export const ApprovalPolicyStatus = Obj({ ...phaseStatus, lastDecisionAt: Opt(DateTime()) });
export type ApprovalPolicyStatus = Static<typeof ApprovalPolicyStatus>;
export type ApprovalPolicy = KubeObject<ApprovalPolicySpec, ApprovalPolicyStatus>;
export const approvalPolicyDefinition: KindDefinition = {
  info: APPROVAL_POLICY,
  description: 'A gate that orchestration steps wait on until it is approved.',
  spec: ApprovalPolicySpec,
  specRequired: false,
  status: ApprovalPolicyStatus,
  printerColumns: [phaseColumn, { name: 'Mode', type: 'string', jsonPath: '.spec.mode' }, ageColumn],
};

// Budget --------------------------------------------------------------------------------------------------------
const Amounts = { tokens: Opt(Str()), dollars: Opt(Str()), cpu: Opt(Str()), memory: Opt(Str()), gpu: Opt(Str()) };
export const BudgetSpec = Obj({ limits: Opt(OpenObj(Amounts)) });
export type BudgetSpec = Static<typeof BudgetSpec>;
export const BudgetStatus = Obj({ ...phaseStatus, used: Opt(Obj(Amounts)) });
export type BudgetStatus = Static<typeof BudgetStatus>;
export type Budget = KubeObject<BudgetSpec, BudgetStatus>;
export const budgetDefinition: KindDefinition = {
  info: BUDGET,
  description: 'Limits on tokens, dollars and compute that runs referencing it may use.',
  spec: BudgetSpec,
  specRequired: false,
  status: BudgetStatus,
  printerColumns: [phaseColumn, ageColumn],
};

// SecretBinding -------------------------------------------------------------------------------------------------
export const SecretBindingSpec = Obj({ subjects: Opt(List(Subject)), allowedSecrets: Opt(StrList()) });
export type SecretBindingSpec = Static<typeof SecretBindingSpec>;
export const SecretBindingStatus = Obj({ ...phaseStatus });
export type SecretBindingStatus = Static<typeof SecretBindingStatus>;
export type SecretBinding = KubeObject<SecretBindingSpec, SecretBindingStatus>;
export const secretBindingDefinition: KindDefinition = {
  info: SECRET_BINDING,
  description: 'Which Secrets an Agent or Orchestration may use.',
  spec: SecretBindingSpec,
  specRequired: false,
  status: SecretBindingStatus,
  printerColumns: [phaseColumn, ageColumn],
};

// Signal / SignalDelivery ---------------------------------------------------------------------------------------
export const SignalSpec = OpenObj({ channel: Opt(Str()), description: Opt(Str()), payload: Opt(Schemaless()) });
export type SignalSpec = Static<typeof SignalSpec>;
export const SignalStatus = Obj({ ...phaseStatus, lastDeliveryAt: Opt(DateTime()) });
export type SignalStatus = Static<typeof SignalStatus>;
export type Signal = KubeObject<SignalSpec, SignalStatus>;
export const signalDefinition: KindDefinition = {
  info: SIGNAL,
  description: 'A named event channel that orchestration steps can wait for.',
  spec: SignalSpec,
  specRequired: false,
  status: SignalStatus,
  printerColumns: [phaseColumn, ageColumn],
};

export const SignalDeliverySpec = Obj({ signalRef: LocalRef, deliveryId: Opt(Str()), payload: Opt(Schemaless()) });
export type SignalDeliverySpec = Static<typeof SignalDeliverySpec>;
export const SignalDeliveryStatus = Obj({ ...phaseStatus, deliveredAt: Opt(DateTime()) });
export type SignalDeliveryStatus = Static<typeof SignalDeliveryStatus>;
export type SignalDelivery = KubeObject<SignalDeliverySpec, SignalDeliveryStatus>;
export const signalDeliveryDefinition: KindDefinition = {
  info: SIGNAL_DELIVERY,
  description: 'One occurrence of a Signal, with its payload.',
  spec: SignalDeliverySpec,
  specRequired: true,
  status: SignalDeliveryStatus,
  printerColumns: [phaseColumn, { name: 'Signal', type: 'string', jsonPath: '.spec.signalRef.name' }, ageColumn],
};

// Tool / ToolRun ------------------------------------------------------------------------------------------------
export const ToolSpec = Obj({
  image: Opt(Str()),
  command: Opt(StrList()),
  args: Opt(StrList()),
  env: Opt(List(EnvVar)),
  serviceAccount: Opt(Str()),
  timeoutSeconds: Opt(Int32({ minimum: 0 })),
  ttlSecondsAfterFinished: Opt(Int32({ minimum: 0 })),
  workingDir: Opt(Str()),
});
export type ToolSpec = Static<typeof ToolSpec>;
export const ToolStatus = Obj({ ...phaseStatus });
export type ToolStatus = Static<typeof ToolStatus>;
export type Tool = KubeObject<ToolSpec, ToolStatus>;
export const toolDefinition: KindDefinition = {
  info: TOOL,
  description: 'A containerised command that orchestrations run as ToolRuns.',
  spec: ToolSpec,
  specRequired: false,
  status: ToolStatus,
  printerColumns: [phaseColumn, { name: 'Image', type: 'string', jsonPath: '.spec.image' }, ageColumn],
};

export const ToolRunSpec = Obj({
  toolRef: LocalRef,
  parameters: Opt(StringMap()),
  deliveryId: Opt(Str()),
  runtime: Opt(Schemaless()),
});
export type ToolRunSpec = Static<typeof ToolRunSpec>;
export const ToolRunStatus = Obj({
  ...phaseStatus,
  runId: Opt(Str()),
  runtimeRef: Opt(Schemaless()),
  startedAt: Opt(DateTime()),
  finishedAt: Opt(DateTime()),
});
export type ToolRunStatus = Static<typeof ToolRunStatus>;
export type ToolRun = KubeObject<ToolRunSpec, ToolRunStatus>;
export const toolRunDefinition: KindDefinition = {
  info: TOOL_RUN,
  description: 'One execution of a Tool as a Kubernetes Job.',
  spec: ToolRunSpec,
  specRequired: true,
  status: ToolRunStatus,
  printerColumns: [phaseColumn, { name: 'Tool', type: 'string', jsonPath: '.spec.toolRef.name' }, ageColumn],
};

// Schedule ------------------------------------------------------------------------------------------------------
export const ScheduleSpec = Obj({
  cron: Str({ minLength: 1, description: 'Standard five-field cron expression.' }),
  timezone: Opt(Str()),
  suspend: Opt(Bool()),
  targetRef: Obj({
    apiVersion: Opt(Str()),
    kind: Str({ minLength: 1 }),
    name: Str({ minLength: 1 }),
    namespace: Opt(Str()),
  }),
});
export type ScheduleSpec = Static<typeof ScheduleSpec>;
export const ScheduleStatus = Obj({ ...phaseStatus, lastRunTime: Opt(DateTime()) });
export type ScheduleStatus = Static<typeof ScheduleStatus>;
export type Schedule = KubeObject<ScheduleSpec, ScheduleStatus>;
export const scheduleDefinition: KindDefinition = {
  info: SCHEDULE,
  description: 'Creates a copy of a template AgentRun or OrchestrationRun on a cron schedule (as a CronJob).',
  spec: ScheduleSpec,
  specRequired: true,
  status: ScheduleStatus,
  printerColumns: [phaseColumn, { name: 'Cron', type: 'string', jsonPath: '.spec.cron' }, ageColumn],
};

// Artifact ------------------------------------------------------------------------------------------------------
export const ArtifactSpec = Obj({
  storageRef: Opt(Obj({ name: Opt(Str()) })),
  lifecycle: Opt(Obj({ ttlDays: Opt(Int32({ minimum: 0 })) })),
});
export type ArtifactSpec = Static<typeof ArtifactSpec>;
export const ArtifactStatus = Obj({ ...phaseStatus, uri: Opt(Str()), checksum: Opt(Str()) });
export type ArtifactStatus = Static<typeof ArtifactStatus>;
export type Artifact = KubeObject<ArtifactSpec, ArtifactStatus>;
export const artifactDefinition: KindDefinition = {
  info: ARTIFACT,
  description: 'An output of a run, kept in a storage location for a while.',
  spec: ArtifactSpec,
  specRequired: false,
  status: ArtifactStatus,
  printerColumns: [phaseColumn, { name: 'URI', type: 'string', jsonPath: '.status.uri' }, ageColumn],
};

// Workspace -----------------------------------------------------------------------------------------------------
export const WorkspaceSpec = Obj({
  size: Opt(Str({ description: 'Storage request of the PVC, e.g. 10Gi.' })),
  accessModes: Opt(StrList({ default: ['ReadWriteOnce'] })),
  storageClassName: Opt(Str()),
  ttlSeconds: Opt(Int32({ minimum: 0 })),
});
export type WorkspaceSpec = Static<typeof WorkspaceSpec>;
export const WorkspaceStatus = Obj({ ...phaseStatus, volumeName: Opt(Str()) });
export type WorkspaceStatus = Static<typeof WorkspaceStatus>;
export type Workspace = KubeObject<WorkspaceSpec, WorkspaceStatus>;
export const workspaceDefinition: KindDefinition = {
  info: WORKSPACE,
  description: 'A persistent volume (PVC) that runs can mount.',
  spec: WorkspaceSpec,
  specRequired: false,
  status: WorkspaceStatus,
  printerColumns: [phaseColumn, { name: 'Volume', type: 'string', jsonPath: '.status.volumeName' }, ageColumn],
};
