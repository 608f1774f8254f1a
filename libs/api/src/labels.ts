/** Label, annotation and finalizer names. These are a compatibility contract: never rename them. */
const P = 'agents.proompteng.ai';

/** What every label and annotation name of ours starts with. */
export const LABEL_PREFIX = `${P}/`;

export const LABELS = {
  /** On every Job, pod and ConfigMap of a run: the AgentRun name. */
  agentRun: `${P}/agent-run`,
  agent: `${P}/agent`,
  provider: `${P}/provider`,
  implementation: `${P}/implementation`,
  step: `${P}/step`,
  stepIndex: `${P}/step-index`,
  stepIteration: `${P}/step-iteration`,
  /** Attempt number of a workflow step's Job (1-based). */
  stepAttempt: `${P}/step-attempt`,
  /** The normalised idempotency key of a run (duplicate detection goes through the API, not a database). */
  idempotencyKey: `${P}/idempotency-key`,
  deliveryId: `${P}/delivery-id`,
  toolRun: `${P}/tool-run`,
  orchestrationRun: `${P}/orchestration-run`,
  orchestrationStep: `${P}/orchestration-step`,
  sourceProvider: `${P}/source-provider`,
  schedule: 'schedules.proompteng.ai/schedule',
  workspace: 'workspaces.proompteng.ai/workspace',
} as const;

export const ANNOTATIONS = {
  /** "true" marks an AgentRun as a template (a Schedule target): never executed. */
  template: `${P}/template`,
  /** 1/true/yes/y/on/keep/forever keeps a finished run beyond its retention. */
  retain: `${P}/retain`,
  loopControl: `${P}/loop-control`,
  /** The hash of the spec a child object was built from. */
  specHash: `${P}/spec-hash`,
  /** Set (to any value) by agentctl / the control plane to cancel a run: the controllers stop its runtime. */
  cancelRequested: `${P}/cancel-requested`,
} as const;

export const FINALIZERS = {
  runtimeCleanup: `${P}/runtime-cleanup`,
} as const;

/** The placeholder a Schedule replaces with a fresh id on each tick. */
export const DELIVERY_ID_PLACEHOLDER = '__AGENTS_DELIVERY_ID__';

/** Values of the retain annotation that keep a run forever. */
export const RETAIN_VALUES = ['1', 'true', 'yes', 'y', 'on', 'keep', 'forever'] as const;
