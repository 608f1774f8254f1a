import { AGENT_RUN } from '../kinds.js';
import {
  ArtifactRef,
  ImplementationSpecFields,
  LocalRef,
  SystemPromptRef,
  WorkloadSpec,
  commonStatus,
} from '../schema/common.js';
import {
  Bool,
  DateTime,
  Enum,
  Int32,
  Int64,
  List,
  Obj,
  Opt,
  Schemaless,
  Str,
  StrList,
  StringMap,
  withRules,
  type Rule,
  type Static,
} from '../schema/dsl.js';
import { ageColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const RUNTIME_TYPES = ['workflow', 'job', 'temporal', 'custom'] as const;
export type RuntimeType = (typeof RUNTIME_TYPES)[number];

const has = (o: Record<string, unknown>, key: string) => o[key] !== undefined;

/** Parameters: at most 100 string values, never a `prompt` (the prompt comes only from the implementation text). */
function Parameters() {
  return withRules(StringMap({ maxProperties: 100 }), [
    {
      rule: "self.all(k, k.lowerAscii() != 'prompt')",
      message: 'parameters must not contain a prompt key: the prompt comes from the ImplementationSpec text',
      reason: 'FieldValueForbidden',
      holds: (p) => Object.keys(p).every((k) => k.toLowerCase() !== 'prompt'),
    },
  ]);
}

const atMostOneImplementation: Rule = {
  rule: '!(has(self.implementationSpecRef) && has(self.implementation))',
  message: 'set only one of implementationSpecRef or implementation',
  fieldPath: '.implementation',
  reason: 'FieldValueForbidden',
  holds: (s) => !(has(s, 'implementationSpecRef') && has(s, 'implementation')),
};

export const InlineImplementation = Obj({ inline: ImplementationSpecFields });

export const WorkflowLoop = Obj({
  maxIterations: Int32({ minimum: 1 }),
  condition: Opt(
    Obj({
      type: Opt(Enum(['cel'] as const)),
      expression: Opt(Str()),
      source: Opt(
        Obj({
          type: Opt(Enum(['file'] as const)),
          path: Opt(Str()),
          onMissing: Opt(Enum(['stop', 'fail'] as const)),
          onInvalid: Opt(Enum(['stop', 'fail'] as const)),
        }),
      ),
    }),
  ),
  state: Opt(Obj({ required: Opt(Bool()), volumeNames: Opt(StrList({ maxItems: 20 })) })),
});

export const WorkflowStep = withRules(
  Obj({
    name: Str({ minLength: 1, maxLength: 63 }),
    implementationSpecRef: Opt(LocalRef),
    implementation: Opt(InlineImplementation),
    parameters: Opt(Parameters()),
    workload: Opt(WorkloadSpec),
    retries: Opt(Int32({ minimum: 0, description: 'Attempts after the first failure.' })),
    retryBackoffSeconds: Opt(Int32({ minimum: 0 })),
    timeoutSeconds: Opt(Int32({ minimum: 0 })),
    loop: Opt(WorkflowLoop),
  }),
  [atMostOneImplementation],
);
export type WorkflowStep = Static<typeof WorkflowStep>;

export const AgentRunSpec = withRules(
  Obj({
    agentRef: LocalRef,
    runtime: Obj({
      type: Enum(RUNTIME_TYPES, { description: 'job: one Kubernetes Job; workflow: Job-backed steps with retries.' }),
      config: Opt(Schemaless({ description: 'Runtime settings, e.g. backoffLimit, serviceAccount, nodeSelector.' })),
    }),
    implementationSpecRef: Opt(LocalRef),
    implementation: Opt(InlineImplementation),
    goal: Opt(Obj({ objective: Str({ minLength: 1, maxLength: 8192 }), tokenBudget: Opt(Int64({ minimum: 1 })) })),
    workflow: Opt(
      Obj({
        steps: List(WorkflowStep, {
          minItems: 1,
          maxItems: 1000,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        }),
      }),
    ),
    workload: Opt(WorkloadSpec),
    parameters: Opt(Parameters()),
    secrets: Opt(
      StrList({ description: 'Secrets injected into the runner with envFrom; each must be allowed by the Agent.' }),
    ),
    memoryRef: Opt(LocalRef),
    vcsRef: Opt(LocalRef),
    vcsPolicy: Opt(Obj({ required: Opt(Bool()), mode: Opt(Enum(['read-write', 'read-only', 'none'] as const)) })),
    idempotencyKey: Opt(
      Str({ maxLength: 253, description: 'A second run with the same key and agent is marked Duplicate.' }),
    ),
    ttlSecondsAfterFinished: Opt(Int32({ minimum: 0 })),
    systemPrompt: Opt(Str({ maxLength: 16384, description: 'Not allowed: configure Agent.spec.defaults instead.' })),
    systemPromptRef: Opt(SystemPromptRef),
  }),
  [
    atMostOneImplementation,
    {
      rule: "has(self.implementationSpecRef) || has(self.implementation) || (self.runtime.type == 'workflow' && has(self.workflow) && self.workflow.steps.all(s, has(s.implementationSpecRef) || has(s.implementation)))",
      message: 'set implementationSpecRef or implementation (a workflow may instead set one on every step)',
      fieldPath: '.implementationSpecRef',
      reason: 'FieldValueRequired',
      holds: (s) => {
        if (has(s, 'implementationSpecRef') || has(s, 'implementation')) return true;
        const runtime = s.runtime as { type?: string } | undefined;
        const steps = (s.workflow as { steps?: Record<string, unknown>[] } | undefined)?.steps;
        return (
          runtime?.type === 'workflow' &&
          !!steps &&
          steps.every((st) => has(st, 'implementationSpecRef') || has(st, 'implementation'))
        );
      },
    },
    {
      rule: '!has(self.systemPrompt)',
      message: 'a run may not set a system prompt: configure Agent.spec.defaults.systemPrompt instead',
      fieldPath: '.systemPrompt',
      reason: 'FieldValueForbidden',
      holds: (s) => !has(s, 'systemPrompt'),
    },
    {
      rule: '!has(self.systemPromptRef)',
      message: 'a run may not set a system prompt: configure Agent.spec.defaults.systemPromptRef instead',
      fieldPath: '.systemPromptRef',
      reason: 'FieldValueForbidden',
      holds: (s) => !has(s, 'systemPromptRef'),
    },
  ],
);
export type AgentRunSpec = Static<typeof AgentRunSpec>;

const JobRef = Obj({ name: Opt(Str()), namespace: Opt(Str()), uid: Opt(Str()) });

export const WorkflowStepStatus = Obj({
  name: Str(),
  phase: Opt(Str()),
  attempt: Opt(Int32({ minimum: 0 })),
  startedAt: Opt(DateTime()),
  finishedAt: Opt(DateTime()),
  jobObservedAt: Opt(DateTime()),
  lastTransitionTime: Opt(DateTime()),
  message: Opt(Str()),
  nextRetryAt: Opt(DateTime()),
  jobRef: Opt(JobRef),
  loop: Opt(
    Obj({
      currentIteration: Opt(Int32()),
      completedIterations: Opt(Int32()),
      maxIterations: Opt(Int32()),
      stopReason: Opt(Str()),
      retainedIterations: Opt(Int32()),
      prunedIterations: Opt(Int32()),
      lastControl: Opt(Schemaless()),
      iterations: Opt(
        List(
          Obj({
            index: Int32(),
            phase: Opt(Str()),
            attempts: Opt(Int32()),
            startedAt: Opt(DateTime()),
            finishedAt: Opt(DateTime()),
            message: Opt(Str()),
            jobRef: Opt(JobRef),
          }),
          { maxItems: 50 },
        ),
      ),
    }),
  ),
});
export type WorkflowStepStatus = Static<typeof WorkflowStepStatus>;

export const AgentRunStatus = Obj({
  phase: Opt(Str({ description: 'Pending, Running, Succeeded, Failed, Cancelled or Template.' })),
  reason: Opt(Str()),
  message: Opt(Str()),
  runtimeRef: Opt(Schemaless()),
  runner: Opt(Schemaless({ description: "The runner's terminal status (sanitised)." })),
  workflow: Opt(
    Obj({
      phase: Opt(Str()),
      lastTransitionTime: Opt(DateTime()),
      steps: Opt(List(WorkflowStepStatus, { maxItems: 1000 })),
    }),
  ),
  startedAt: Opt(DateTime()),
  finishedAt: Opt(DateTime()),
  artifacts: Opt(List(ArtifactRef, { maxItems: 50 })),
  vcs: Opt(
    Obj({
      provider: Opt(Str()),
      repository: Opt(Str()),
      baseBranch: Opt(Str()),
      headBranch: Opt(Str()),
      mode: Opt(Str()),
    }),
  ),
  systemPromptHash: Opt(Str()),
  specHash: Opt(Str()),
  contract: Opt(Obj({ requiredKeys: Opt(StrList()), missingKeys: Opt(StrList()) })),
  ...commonStatus,
});
export type AgentRunStatus = Static<typeof AgentRunStatus>;
export type AgentRun = KubeObject<AgentRunSpec, AgentRunStatus>;

export const agentRunDefinition: KindDefinition = {
  info: AGENT_RUN,
  description: 'One execution of an agent on an implementation, as a Kubernetes Job or a Job-backed step workflow.',
  spec: AgentRunSpec,
  specRequired: true,
  status: AgentRunStatus,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Agent', type: 'string', jsonPath: '.spec.agentRef.name' },
    { name: 'Succeeded', type: 'string', jsonPath: '.status.conditions[?(@.type=="Succeeded")].status' },
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Succeeded")].reason' },
    { name: 'StartTime', type: 'date', jsonPath: '.status.startedAt' },
    { name: 'CompletionTime', type: 'date', jsonPath: '.status.finishedAt' },
    { name: 'Runtime', type: 'string', jsonPath: '.spec.runtime.type' },
    ageColumn,
  ],
};
