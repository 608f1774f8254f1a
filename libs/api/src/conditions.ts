/**
 * Condition types and reasons, per kind. Types are adjectives or past participles; reasons are PascalCase.
 * Names follow the existing system (REFERENCE §2) so dashboards and alerts keep working.
 */
export const ConditionType = {
  Ready: 'Ready',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  Accepted: 'Accepted',
  InProgress: 'InProgress',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
  InvalidSpec: 'InvalidSpec',
  Blocked: 'Blocked',
  Duplicate: 'Duplicate',
  Warning: 'Warning',
  Unreachable: 'Unreachable',
  VcsSkipped: 'VcsSkipped',
  ArtifactsLimited: 'ArtifactsLimited',
  ArtifactsLimitExceeded: 'ArtifactsLimitExceeded',
  Running: 'Running',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const CommonReason = {
  Reconciled: 'Reconciled',
  ValidSpec: 'ValidSpec',
  Active: 'Active',
  Valid: 'Valid',
  InvalidSpec: 'InvalidSpec',
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  MissingSecretRef: 'MissingSecretRef',
} as const;

export const AgentReason = {
  MissingProviderRef: 'MissingProviderRef',
  MissingProvider: 'MissingProvider',
  ProviderNotReady: 'ProviderNotReady',
  MissingMemory: 'MissingMemory',
  ValidSpec: 'ValidSpec',
} as const;

export const AgentProviderReason = {
  MissingBinary: 'MissingBinary',
  InvalidTemplate: 'InvalidTemplate',
  MissingAuthSecretConfig: 'MissingAuthSecretConfig',
  AuthSecretNotFound: 'AuthSecretNotFound',
  InvalidAuthSecret: 'InvalidAuthSecret',
  UnsupportedAuthMode: 'UnsupportedAuthMode',
  ProviderAuthUnavailable: 'ProviderAuthUnavailable',
  ProviderCapacityExhausted: 'ProviderCapacityExhausted',
  Reachable: 'Reachable',
  Healthy: 'Healthy',
  ValidSpec: 'ValidSpec',
} as const;

export const ImplementationSpecReason = {
  MissingText: 'MissingText',
  TextTooLarge: 'TextTooLarge',
  SummaryTooLong: 'SummaryTooLong',
  DescriptionTooLarge: 'DescriptionTooLarge',
  AcceptanceCriteriaTooLong: 'AcceptanceCriteriaTooLong',
  InvalidContract: 'InvalidContract',
  ValidSpec: 'ValidSpec',
} as const;

export const ImplementationSourceReason = {
  MissingProvider: 'MissingProvider',
  UnsupportedProvider: 'UnsupportedProvider',
  MissingSecretRef: 'MissingSecretRef',
  WebhookDisabled: 'WebhookDisabled',
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  WebhookReady: 'WebhookReady',
} as const;

export const VersionControlProviderReason = {
  AuthReady: 'AuthReady',
  NoAuth: 'NoAuth',
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  MissingSecretRef: 'MissingSecretRef',
  MissingAppAuth: 'MissingAppAuth',
  ConfigMapNotFound: 'ConfigMapNotFound',
  ConfigMapKeyMissing: 'ConfigMapKeyMissing',
  UnsupportedAuth: 'UnsupportedAuth',
  DeprecatedTokenType: 'DeprecatedTokenType',
  InvalidRepositoryPolicy: 'InvalidRepositoryPolicy',
  VcsProvidersDisabled: 'VcsProvidersDisabled',
} as const;

export const MemoryReason = {
  MissingType: 'MissingType',
  MissingSecretRef: 'MissingSecretRef',
  SecretNotFound: 'SecretNotFound',
  SecretKeyMissing: 'SecretKeyMissing',
  SecretResolved: 'SecretResolved',
} as const;

export const AgentRunReason = {
  // progress
  Submitted: 'Submitted',
  Running: 'Running',
  Completed: 'Completed',
  Template: 'Template',
  NotBlocked: 'NotBlocked',
  Pending: 'Pending',
  // terminal failures
  SubmitFailed: 'SubmitFailed',
  JobFailed: 'JobFailed',
  RunnerFailed: 'RunnerFailed',
  RunnerCancelled: 'RunnerCancelled',
  JobMissing: 'JobMissing',
  /** The Job failed and its pod logs show the provider's credentials were refused. */
  ProviderAuthUnavailable: 'ProviderAuthUnavailable',
  /** The Job failed and its pod logs show the provider out of capacity (quota, rate limit). */
  ProviderCapacityExhausted: 'ProviderCapacityExhausted',
  Cancelled: 'Cancelled',
  SpecImmutableViolation: 'SpecImmutableViolation',
  DeadlineExceeded: 'DeadlineExceeded',
  // admission
  ConcurrencyLimit: 'ConcurrencyLimit',
  QueueLimit: 'QueueLimit',
  RateLimit: 'RateLimit',
  IdempotencyKeyInUse: 'IdempotencyKeyInUse',
  IdempotencyKeyCompleted: 'IdempotencyKeyCompleted',
  // validation (InvalidSpec)
  MissingRuntime: 'MissingRuntime',
  UnsupportedRuntime: 'UnsupportedRuntime',
  ForbiddenParameterKey: 'ForbiddenParameterKey',
  ParameterNotString: 'ParameterNotString',
  ParameterValueTooLarge: 'ParameterValueTooLarge',
  ParametersTooLarge: 'ParametersTooLarge',
  MissingRequiredLabels: 'MissingRequiredLabels',
  LabelBlocked: 'LabelBlocked',
  LabelNotAllowed: 'LabelNotAllowed',
  MissingAgent: 'MissingAgent',
  MissingProvider: 'MissingProvider',
  MissingWorkloadImage: 'MissingWorkloadImage',
  ImageBlocked: 'ImageBlocked',
  ImageNotAllowed: 'ImageNotAllowed',
  MissingEndpoint: 'MissingEndpoint',
  MissingTemporalConfig: 'MissingTemporalConfig',
  SecretNotAllowed: 'SecretNotAllowed',
  SecretBlocked: 'SecretBlocked',
  ServiceAccountNotAllowed: 'ServiceAccountNotAllowed',
  MissingImplementation: 'MissingImplementation',
  ImplementationSourceProviderNotAllowed: 'ImplementationSourceProviderNotAllowed',
  InvalidContract: 'InvalidContract',
  MissingRequiredMetadata: 'MissingRequiredMetadata',
  MissingMemory: 'MissingMemory',
  MissingSystemPromptConfiguration: 'MissingSystemPromptConfiguration',
  SystemPromptOverrideNotAllowed: 'SystemPromptOverrideNotAllowed',
  InvalidSystemPromptRef: 'InvalidSystemPromptRef',
  SystemPromptRefReadFailed: 'SystemPromptRefReadFailed',
  MissingSystemPromptRef: 'MissingSystemPromptRef',
  SystemPromptTooLong: 'SystemPromptTooLong',
  ProviderNotReady: 'ProviderNotReady',
  // workflow
  MissingWorkflowSteps: 'MissingWorkflowSteps',
  WorkflowStepMissingName: 'WorkflowStepMissingName',
  WorkflowStepDuplicate: 'WorkflowStepDuplicate',
  WorkflowLoopsDisabled: 'WorkflowLoopsDisabled',
  WorkflowLoopMaxIterationsInvalid: 'WorkflowLoopMaxIterationsInvalid',
  WorkflowLoopMaxIterationsExceeded: 'WorkflowLoopMaxIterationsExceeded',
  WorkflowLoopConditionTypeInvalid: 'WorkflowLoopConditionTypeInvalid',
  WorkflowLoopConditionExpressionMissing: 'WorkflowLoopConditionExpressionMissing',
  WorkflowLoopConditionExpressionInvalid: 'WorkflowLoopConditionExpressionInvalid',
  WorkflowLoopConditionSourceTypeInvalid: 'WorkflowLoopConditionSourceTypeInvalid',
  WorkflowLoopConditionSourcePathInvalid: 'WorkflowLoopConditionSourcePathInvalid',
  WorkflowLoopConditionOnMissingInvalid: 'WorkflowLoopConditionOnMissingInvalid',
  WorkflowLoopConditionOnInvalidInvalid: 'WorkflowLoopConditionOnInvalidInvalid',
  WorkflowLoopStateVolumeDuplicate: 'WorkflowLoopStateVolumeDuplicate',
  WorkflowLoopStateVolumeMissing: 'WorkflowLoopStateVolumeMissing',
  WorkflowLoopStateVolumeRequired: 'WorkflowLoopStateVolumeRequired',
  WorkflowLoopStateVolumeNotPersistent: 'WorkflowLoopStateVolumeNotPersistent',
  WorkflowLoopConditionError: 'WorkflowLoopConditionError',
  /** Why a step's loop stopped (status.workflow.steps[].loop.stopReason). */
  LoopMaxIterationsReached: 'LoopMaxIterationsReached',
  LoopConditionFalse: 'LoopConditionFalse',
  LoopConditionError: 'LoopConditionError',
  WorkflowStepFailed: 'WorkflowStepFailed',
  WorkflowStepRetriesExhausted: 'WorkflowStepRetriesExhausted',
  WorkflowStepTimedOut: 'WorkflowStepTimedOut',
  WorkflowJobMissing: 'WorkflowJobMissing',
  WorkflowConfigMapMissing: 'WorkflowConfigMapMissing',
  RuntimeConfigMapMissing: 'RuntimeConfigMapMissing',
  // vcs
  VcsProvidersDisabled: 'VcsProvidersDisabled',
  MissingVcsProvider: 'MissingVcsProvider',
  MissingRepository: 'MissingRepository',
  VcsPolicyDenied: 'VcsPolicyDenied',
  VcsCapabilityDenied: 'VcsCapabilityDenied',
  VcsAuthUnavailable: 'VcsAuthUnavailable',
  UnsupportedVcsAuth: 'UnsupportedVcsAuth',
  VcsDisabled: 'VcsDisabled',
  VcsResolved: 'VcsResolved',
  // artifacts
  WithinLimits: 'WithinLimits',
  ArtifactsTrimmed: 'ArtifactsTrimmed',
  ArtifactsLimitExceeded: 'ArtifactsLimitExceeded',
  None: 'None',
} as const;
export type AgentRunReason = (typeof AgentRunReason)[keyof typeof AgentRunReason];

export const OrchestrationReason = {
  MissingSteps: 'MissingSteps',
  StepMissingName: 'StepMissingName',
  StepMissingKind: 'StepMissingKind',
  DuplicateStep: 'DuplicateStep',
  EntrypointMissing: 'EntrypointMissing',
  InvalidDependency: 'InvalidDependency',
  MissingDependency: 'MissingDependency',
  DependencyCycle: 'DependencyCycle',
  ValidSpec: 'ValidSpec',
} as const;

export const OrchestrationRunReason = {
  MissingOrchestrationRef: 'MissingOrchestrationRef',
  MissingOrchestration: 'MissingOrchestration',
  DependencyCycle: 'DependencyCycle',
  StepFailed: 'StepFailed',
  StepTimedOut: 'StepTimedOut',
  RetriesExhausted: 'RetriesExhausted',
  AgentRunFailed: 'AgentRunFailed',
  AgentRunMissing: 'AgentRunMissing',
  ToolRunFailed: 'ToolRunFailed',
  ToolRunMissing: 'ToolRunMissing',
  ApprovalDenied: 'ApprovalDenied',
  UnsupportedStep: 'UnsupportedStep',
  StepError: 'StepError',
  Submitted: 'Submitted',
  Running: 'Running',
  Completed: 'Completed',
} as const;

export const SupportingReason = {
  Active: 'Active',
  Valid: 'Valid',
  InvalidSpec: 'InvalidSpec',
  SignalMissing: 'SignalMissing',
  Delivered: 'Delivered',
  MissingTool: 'MissingTool',
  Submitted: 'Submitted',
  Completed: 'Completed',
  JobFailed: 'JobFailed',
  SubmitFailed: 'SubmitFailed',
  Suspended: 'Suspended',
  Expired: 'Expired',
  Bound: 'Bound',
  Pending: 'Pending',
  Lost: 'Lost',
  Observed: 'Observed',
  AwaitingDecision: 'AwaitingDecision',
  Approved: 'Approved',
  Denied: 'Denied',
  Exceeded: 'Exceeded',
} as const;

/** AgentRun phases. */
export const AgentRunPhase = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
  Template: 'Template',
} as const;
export type AgentRunPhase = (typeof AgentRunPhase)[keyof typeof AgentRunPhase];

export const TERMINAL_RUN_PHASES: readonly string[] = [
  AgentRunPhase.Succeeded,
  AgentRunPhase.Failed,
  AgentRunPhase.Cancelled,
];
