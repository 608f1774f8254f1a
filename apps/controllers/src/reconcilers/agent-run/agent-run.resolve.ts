import {
  AgentRunReason as R,
  ConditionType,
  type Agent,
  type AgentProvider,
  type AgentRun,
  type ImplementationSpec,
  type ImplementationSpecFields,
  type Memory,
  type VersionControlProvider,
  type WorkflowStep,
  type WorkloadSpec,
} from '@agents/api';
import { findCondition } from '@agents/kube';
import { createHash } from 'node:crypto';
import type { ControllersConfig } from '../../config/controllers.config.js';
import { matchesAny } from './glob.js';
import { compileLoopCondition } from './agent-run.loop.js';
import { resolveVcs, type VcsContext } from './agent-run.vcs.js';

/** Read access to the cached objects of the run's namespace. */
export interface RunLookup {
  agent(name: string): Agent | undefined;
  provider(name: string): AgentProvider | undefined;
  implementationSpec(name: string): ImplementationSpec | undefined;
  memory(name: string): Memory | undefined;
  memories(): Memory[];
  versionControlProvider(name: string): VersionControlProvider | undefined;
}

/** The agent's system prompt as the reconciler read it (a ref means a Secret/ConfigMap GET). */
export type SystemPromptRead =
  | { kind: 'none' }
  | { kind: 'inline'; text: string }
  | {
      kind: 'ref';
      ref: { kind: 'Secret' | 'ConfigMap'; name: string; key: string };
      text: string | undefined;
      exists: boolean;
    }
  | { kind: 'error'; ref: { kind: 'Secret' | 'ConfigMap'; name: string; key: string }; message: string };

export interface SystemPrompt {
  sha256: string;
  /** Inline prompts travel in run.json; referenced ones are mounted from their Secret/ConfigMap. */
  inline?: string;
  ref?: { kind: 'Secret' | 'ConfigMap'; name: string; key: string };
}

/** What one unit of work (the run's Job, or one workflow step's Jobs) is built from. */
export interface WorkUnit {
  implementation: ImplementationSpecFields;
  implementationName: string;
  image: string;
  /** The workload the Job is built from: the run's, or a workflow step's (which replaces it whole). */
  workload: WorkloadSpec | undefined;
  parameters: Record<string, string>;
  contract: { requiredKeys: string[]; missingKeys: string[] };
  timeoutSeconds: number | undefined;
}

/** A workflow step, resolved: its unit of work and how it is retried. */
export interface ResolvedStep extends WorkUnit {
  name: string;
  /** 1-based, as in the step-index label. */
  index: number;
}

export interface Resolved extends WorkUnit {
  agent: Agent;
  provider: AgentProvider;
  serviceAccount: string;
  memory: { type: string; connectionRef: { name: string; key?: string } } | null;
  systemPrompt: SystemPrompt;
  vcs: VcsContext | undefined;
  vcsSkipped: { reason: string; message: string } | undefined;
  /** The steps of a workflow run, in order (undefined for a job run). */
  steps?: ResolvedStep[];
}

/** The run as seen by one workflow step: the step's unit of work over the run's resolution. */
export const forStep = (r: Resolved, step: ResolvedStep): Resolved => ({
  ...r,
  implementation: step.implementation,
  implementationName: step.implementationName,
  image: step.image,
  workload: step.workload,
  parameters: step.parameters,
  contract: step.contract,
  timeoutSeconds: step.timeoutSeconds,
});

export interface Failure {
  reason: string;
  message: string;
  /** Condition the failure is reported under (InvalidSpec for spec problems, Failed for the rest). */
  condition: 'InvalidSpec' | 'Failed';
}

/** Holds the run back without failing it (e.g. its provider is exhausted). */
export interface Hold {
  reason: string;
  message: string;
}

export type Resolution =
  { ok: true; resolved: Resolved } | { ok: false; failure: Failure } | { ok: 'hold'; hold: Hold };

type Invalid = Extract<Resolution, { ok: false }>;

const invalid = (reason: string, message: string): Invalid => ({
  ok: false,
  failure: { reason, message, condition: 'InvalidSpec' },
});

const MAX_PARAMETER_BYTES = 2048;
const MAX_PARAMETERS = 100;
const MAX_SYSTEM_PROMPT = 16384;

/** The runtime.config of a run as a plain record. */
export function runtimeConfig(run: AgentRun): Record<string, unknown> {
  return (run.spec.runtime?.config ?? {}) as Record<string, unknown>;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The first parameter that breaks the rules (no `prompt`, strings of at most 2048 bytes), as a failure. */
function checkParameters(parameters: Record<string, unknown>, field: string): Invalid | undefined {
  for (const [k, v] of Object.entries(parameters)) {
    if (k.toLowerCase() === 'prompt')
      return invalid(
        R.ForbiddenParameterKey,
        `${field}.prompt is not allowed: the prompt comes from the implementation text`,
      );
    if (typeof v !== 'string') return invalid(R.ParameterNotString, `${field}.${k} must be a string`);
    if (Buffer.byteLength(v) > MAX_PARAMETER_BYTES)
      return invalid(R.ParameterValueTooLarge, `${field}.${k} is over ${MAX_PARAMETER_BYTES} bytes`);
  }
  return undefined;
}

/** The image of a unit of work (workload → provider → controller default) once it passes the image policy. */
function resolveImage(
  workload: WorkloadSpec | undefined,
  provider: AgentProvider,
  config: ControllersConfig,
  where: string,
): string | Invalid {
  const image = workload?.image ?? provider.spec.workload?.image ?? config.runner.image;
  if (!image) {
    return invalid(
      R.MissingWorkloadImage,
      `no image${where}: set ${where ? `its workload.image, ` : ''}spec.workload.image, the provider workload.image, or the chart runner.image`,
    );
  }
  const { admission } = config;
  if (matchesAny(admission.imagesDenied, image))
    return invalid(R.ImageBlocked, `image ${image}${where} is denied by policy`);
  if (admission.imagesAllowed.length && !matchesAny(admission.imagesAllowed, image))
    return invalid(R.ImageNotAllowed, `image ${image}${where} is not in the allowed list`);
  return image;
}

/** A referenced ImplementationSpec, or the failure naming it. */
function implementationByRef(
  name: string,
  lookup: RunLookup,
  run: AgentRun,
  where: string,
): { implementation: ImplementationSpecFields; implementationName: string } | Invalid {
  const impl = lookup.implementationSpec(name);
  if (!impl)
    return invalid(
      R.MissingImplementation,
      `ImplementationSpec ${name}${where} not found in namespace ${run.metadata.namespace}`,
    );
  return { implementation: impl.spec, implementationName: name };
}

/** The implementation's source against the agent's allowlist, then its contract over the parameters (mapped). */
function checkImplementation(
  implementation: ImplementationSpecFields,
  parameters: Record<string, string>,
  agent: Agent,
  where: string,
): { requiredKeys: string[]; missingKeys: string[] } | Invalid {
  const sourceProvider = implementation.source?.provider;
  const allowedSources = agent.spec.security?.allowedImplementationSourceProviders ?? [];
  if (allowedSources.length && sourceProvider && !allowedSources.includes(sourceProvider)) {
    return invalid(
      R.ImplementationSourceProviderNotAllowed,
      `implementation source ${sourceProvider}${where} is not allowed by Agent ${agent.metadata.name}`,
    );
  }
  for (const m of implementation.contract?.mappings ?? [])
    if (parameters[m.from] !== undefined && parameters[m.to] === undefined) parameters[m.to] = parameters[m.from]!;
  const requiredKeys = implementation.contract?.requiredKeys ?? [];
  const missingKeys = requiredKeys.filter((k) => !parameters[k]);
  if (missingKeys.length)
    return invalid(
      R.MissingRequiredMetadata,
      `required metadata missing from the parameters${where}: ${missingKeys.join(', ')}`,
    );
  return { requiredKeys, missingKeys: [] };
}

const failed = (r: unknown): r is Invalid => typeof r === 'object' && r !== null && (r as Invalid).ok === false;

/** A workflow's shape: steps present, named once each, their parameters valid, loops allowed and well-formed. */
function checkWorkflow(run: AgentRun, config: ControllersConfig): Invalid | undefined {
  const steps = run.spec.workflow?.steps ?? [];
  if (!steps.length) return invalid(R.MissingWorkflowSteps, 'a workflow run needs spec.workflow.steps (at least one)');
  const seen = new Set<string>();
  for (const [i, step] of steps.entries()) {
    const at = `spec.workflow.steps[${i}]`;
    if (!step.name?.trim()) return invalid(R.WorkflowStepMissingName, `${at}.name is required`);
    if (seen.has(step.name))
      return invalid(R.WorkflowStepDuplicate, `${at}.name ${step.name} is used by an earlier step`);
    seen.add(step.name);
    const bad = checkParameters(step.parameters ?? {}, `${at}.parameters`);
    if (bad) return bad;
    if (step.loop) {
      const loop = checkLoop(step, at, run, config);
      if (loop) return loop;
    }
  }
  return undefined;
}

/** A step's loop (REFERENCE §3.2): enabled, bounded, its condition CEL over a control file, its state on a PVC. */
function checkLoop(step: WorkflowStep, at: string, run: AgentRun, config: ControllersConfig): Invalid | undefined {
  const loop = step.loop!;
  const { loopsEnabled, loopMaxIterations } = config.workflow;
  if (!loopsEnabled)
    return invalid(
      R.WorkflowLoopsDisabled,
      `${at}.loop: step loops are disabled; set JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOPS_ENABLED=true on the controllers`,
    );
  if (!Number.isInteger(loop.maxIterations) || loop.maxIterations < 1)
    return invalid(
      R.WorkflowLoopMaxIterationsInvalid,
      `${at}.loop.maxIterations must be an integer >= 1, not ${JSON.stringify(loop.maxIterations)}`,
    );
  if (loop.maxIterations > loopMaxIterations)
    return invalid(
      R.WorkflowLoopMaxIterationsExceeded,
      `${at}.loop.maxIterations ${loop.maxIterations} is over the limit of ${loopMaxIterations}`,
    );
  const cond = loop.condition;
  if (cond) {
    if ((cond.type ?? 'cel') !== 'cel')
      return invalid(
        R.WorkflowLoopConditionTypeInvalid,
        `${at}.loop.condition.type must be cel, not ${JSON.stringify(cond.type)}`,
      );
    if (!cond.expression?.trim())
      return invalid(R.WorkflowLoopConditionExpressionMissing, `${at}.loop.condition.expression is required`);
    const compiled = compileLoopCondition(cond.expression);
    if (typeof compiled === 'string')
      return invalid(R.WorkflowLoopConditionExpressionInvalid, `${at}.loop.condition.expression: ${compiled}`);
    const source = cond.source;
    if (source?.type !== undefined && source.type !== 'file')
      return invalid(
        R.WorkflowLoopConditionSourceTypeInvalid,
        `${at}.loop.condition.source.type must be file, not ${JSON.stringify(source.type)}`,
      );
    if (source?.path !== undefined && !source.path.startsWith('/'))
      return invalid(
        R.WorkflowLoopConditionSourcePathInvalid,
        `${at}.loop.condition.source.path must be an absolute path, not ${JSON.stringify(source.path)}`,
      );
    for (const key of ['onMissing', 'onInvalid'] as const) {
      const v = source?.[key];
      if (v !== undefined && v !== 'stop' && v !== 'fail')
        return invalid(
          key === 'onMissing' ? R.WorkflowLoopConditionOnMissingInvalid : R.WorkflowLoopConditionOnInvalidInvalid,
          `${at}.loop.condition.source.${key} must be stop or fail, not ${JSON.stringify(v)}`,
        );
    }
  }
  const state = loop.state;
  if (state) {
    const names = state.volumeNames ?? [];
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) return invalid(R.WorkflowLoopStateVolumeDuplicate, `${at}.loop.state.volumeNames lists ${dup} twice`);
    const volumes = (step.workload ?? run.spec.workload)?.volumes ?? [];
    if (state.required && !names.length)
      return invalid(
        R.WorkflowLoopStateVolumeRequired,
        `${at}.loop.state.required needs state.volumeNames: a pvc volume that keeps the loop's state`,
      );
    for (const n of names) {
      const v = volumes.find((x) => x.name === n);
      if (!v)
        return invalid(
          R.WorkflowLoopStateVolumeMissing,
          `${at}.loop.state.volumeNames: no volume ${n} in the step's (or the run's) workload.volumes`,
        );
      if (state.required && (v.type !== 'pvc' || !(v.claimName ?? v.name)))
        return invalid(
          R.WorkflowLoopStateVolumeNotPersistent,
          `${at}.loop.state: volume ${n} must be a pvc volume with a claimName to keep state between iterations`,
        );
    }
  }
  return undefined;
}

/**
 * Everything about a run that can be decided without creating anything, in the reference's order; the first
 * failure wins and names the field or object to fix.
 */
export function resolveRun(
  run: AgentRun,
  lookup: RunLookup,
  prompt: SystemPromptRead,
  config: ControllersConfig,
): Resolution {
  const spec = run.spec;
  const cfg = runtimeConfig(run);
  if (!spec.runtime?.type) return invalid(R.MissingRuntime, 'spec.runtime.type is required');
  const type = spec.runtime.type;
  if (type !== 'job' && type !== 'workflow') {
    return invalid(
      R.UnsupportedRuntime,
      `spec.runtime.type ${type} is not available in this version: use job or workflow`,
    );
  }
  const workflow = type === 'workflow';

  // Parameters (and a workflow's shape)
  const parameters = { ...(spec.parameters ?? {}) };
  const badParameter = checkParameters(parameters, 'spec.parameters');
  if (badParameter) return badParameter;
  if (workflow) {
    const bad = checkWorkflow(run, config);
    if (bad) return bad;
  }

  // Label admission policy
  const labels = Object.keys(run.metadata.labels ?? {});
  const { admission } = config;
  const missingLabels = admission.labelsRequired.filter((l) => !labels.includes(l));
  if (missingLabels.length)
    return invalid(R.MissingRequiredLabels, `labels required by policy are missing: ${missingLabels.join(', ')}`);
  const blockedLabel = labels.find((l) => matchesAny(admission.labelsDenied, l));
  if (blockedLabel) return invalid(R.LabelBlocked, `label ${blockedLabel} is denied by policy`);
  const notAllowed = admission.labelsAllowed.length
    ? labels.find((l) => !matchesAny(admission.labelsAllowed, l))
    : undefined;
  if (notAllowed) return invalid(R.LabelNotAllowed, `label ${notAllowed} is not in the allowed list`);

  // Agent and provider
  const agent = lookup.agent(spec.agentRef.name);
  if (!agent)
    return invalid(R.MissingAgent, `Agent ${spec.agentRef.name} not found in namespace ${run.metadata.namespace}`);
  const provider = lookup.provider(agent.spec.providerRef.name);
  if (!provider)
    return invalid(
      R.MissingProvider,
      `AgentProvider ${agent.spec.providerRef.name} (of Agent ${agent.metadata.name}) not found`,
    );

  // Image and its policy (a workflow's are per step, below)
  const image = workflow ? undefined : resolveImage(spec.workload, provider, config, '');
  if (failed(image)) return image;

  // Provider health holds the run (it is retried when the provider recovers)
  const providerReady = findCondition(provider.status?.conditions, ConditionType.Ready);
  if (
    providerReady?.status === 'False' &&
    (providerReady.reason === 'ProviderCapacityExhausted' || providerReady.reason === 'ProviderAuthUnavailable')
  ) {
    return {
      ok: 'hold',
      hold: {
        reason: providerReady.reason,
        message: `AgentProvider ${provider.metadata.name}: ${providerReady.message}`,
      },
    };
  }

  // Secrets and service account against the agent's allowlists
  const security = agent.spec.security ?? {};
  const runSecrets = spec.secrets ?? [];
  const allowedSecrets = security.allowedSecrets ?? [];
  const secretNotAllowed = (s: string) => allowedSecrets.length > 0 && !allowedSecrets.includes(s);
  const deniedSecret = runSecrets.find(secretNotAllowed);
  if (deniedSecret)
    return invalid(
      R.SecretNotAllowed,
      `Secret ${deniedSecret} is not in Agent ${agent.metadata.name} spec.security.allowedSecrets`,
    );
  const serviceAccount =
    (cfg.serviceAccountName as string | undefined) ??
    (cfg.serviceAccount as string | undefined) ??
    provider.spec.workload?.serviceAccountName ??
    config.runner.serviceAccount ??
    'default';
  if ((security.allowedServiceAccounts ?? []).length && !security.allowedServiceAccounts!.includes(serviceAccount)) {
    return invalid(
      R.ServiceAccountNotAllowed,
      `service account ${serviceAccount} is not in Agent ${agent.metadata.name} spec.security.allowedServiceAccounts`,
    );
  }

  // Implementation: required on a job run; a workflow run's is the default of steps that name none
  let runImplementation: { implementation: ImplementationSpecFields; implementationName: string } | undefined;
  if (spec.implementation?.inline) {
    runImplementation = { implementation: spec.implementation.inline, implementationName: 'inline' };
  } else if (spec.implementationSpecRef?.name || !workflow) {
    const byRef = implementationByRef(spec.implementationSpecRef?.name ?? '', lookup, run, '');
    if (failed(byRef)) return byRef;
    runImplementation = byRef;
  }
  let contract = { requiredKeys: [] as string[], missingKeys: [] as string[] };
  if (!workflow) {
    const checked = checkImplementation(runImplementation!.implementation, parameters, agent, '');
    if (failed(checked)) return checked;
    contract = checked;
  }

  // Memory: the run's, the agent's, or the namespace default
  let memoryObj: Memory | undefined;
  const memoryName = spec.memoryRef?.name ?? agent.spec.memoryRef?.name;
  if (memoryName) {
    memoryObj = lookup.memory(memoryName);
    if (!memoryObj)
      return invalid(R.MissingMemory, `Memory ${memoryName} not found in namespace ${run.metadata.namespace}`);
  } else {
    memoryObj = lookup.memories().find((m) => m.spec.default === true);
  }
  const memorySecret = memoryObj?.spec.connection.secretRef.name;
  if (
    memorySecret &&
    (secretNotAllowed(memorySecret) || (runSecrets.length > 0 && !runSecrets.includes(memorySecret)))
  ) {
    return invalid(
      R.SecretNotAllowed,
      `the Secret ${memorySecret} of Memory ${memoryObj!.metadata.name} must be allowed by the Agent and listed in spec.secrets`,
    );
  }

  // Blocked secrets
  const touched = [
    ...runSecrets,
    ...(memorySecret ? [memorySecret] : []),
    ...(config.authSecret.name ? [config.authSecret.name] : []),
  ];
  const blocked = touched.find((s) => config.admission.blockedSecrets.includes(s));
  if (blocked) return invalid(R.SecretBlocked, `Secret ${blocked} is blocked by policy`);

  // System prompt (required)
  const systemPrompt = resolvePrompt(prompt, allowedSecrets);
  if ('reason' in systemPrompt) return invalid(systemPrompt.reason, systemPrompt.message);

  // Version control (a workflow's repository comes from the run, else its first step's implementation)
  const vcsImplementation = runImplementation?.implementation ?? firstStepImplementation(run, lookup);
  const vcs = resolveVcs(
    run,
    agent,
    vcsImplementation,
    parameters,
    (n) => lookup.versionControlProvider(n),
    config.vcs,
  );
  if (vcs.kind === 'fail')
    return { ok: false, failure: { reason: vcs.reason, message: vcs.message, condition: 'Failed' } };
  if (vcs.kind === 'resolved') {
    const badVcsSecret = vcs.context.secrets.find(
      (s) => secretNotAllowed(s) || config.admission.blockedSecrets.includes(s),
    );
    if (badVcsSecret)
      return invalid(
        R.SecretNotAllowed,
        `VCS credentials Secret ${badVcsSecret} is not allowed for Agent ${agent.metadata.name}`,
      );
    parameters.base ??= vcs.context.baseBranch;
    parameters.head ??= vcs.context.headBranch;
  }

  const timeout = Number(cfg.timeoutSeconds ?? agent.spec.defaults?.timeoutSeconds ?? 0);
  const timeoutSeconds = timeout > 0 ? timeout : undefined;

  // Workflow steps: each its implementation, parameters, contract and image
  let steps: ResolvedStep[] | undefined;
  if (workflow) {
    steps = [];
    for (const [i, step] of spec.workflow!.steps.entries()) {
      const where = ` (workflow step ${step.name})`;
      const impl = step.implementation?.inline
        ? { implementation: step.implementation.inline, implementationName: 'inline' }
        : step.implementationSpecRef?.name
          ? implementationByRef(step.implementationSpecRef.name, lookup, run, where)
          : runImplementation;
      if (!impl)
        return invalid(
          R.MissingImplementation,
          `workflow step ${step.name} has no implementation: set its implementation or implementationSpecRef, or the run's`,
        );
      if (failed(impl)) return impl;
      const stepParameters = { ...parameters, ...(step.parameters ?? {}) };
      if (Object.keys(stepParameters).length > MAX_PARAMETERS)
        return invalid(
          R.ParametersTooLarge,
          `spec.workflow.steps[${i}]: the run's parameters with the step's are ${Object.keys(stepParameters).length} entries, over ${MAX_PARAMETERS}`,
        );
      const checked = checkImplementation(impl.implementation, stepParameters, agent, where);
      if (failed(checked)) return checked;
      const workload = step.workload ?? spec.workload;
      const stepImage = resolveImage(workload, provider, config, where);
      if (failed(stepImage)) return stepImage;
      steps.push({
        name: step.name,
        index: i + 1,
        ...impl,
        image: stepImage,
        workload,
        parameters: stepParameters,
        contract: checked,
        timeoutSeconds: step.timeoutSeconds && step.timeoutSeconds > 0 ? step.timeoutSeconds : timeoutSeconds,
      });
    }
    contract = {
      requiredKeys: [...new Set(steps.flatMap((st) => st.contract.requiredKeys))],
      missingKeys: [],
    };
  }
  const first = steps?.[0];
  return {
    ok: true,
    resolved: {
      agent,
      provider,
      implementation: first?.implementation ?? runImplementation!.implementation,
      implementationName: first?.implementationName ?? runImplementation!.implementationName,
      image: first?.image ?? (image as string),
      workload: first ? first.workload : spec.workload,
      serviceAccount,
      memory: memoryObj ? { type: memoryObj.spec.type, connectionRef: memoryObj.spec.connection.secretRef } : null,
      systemPrompt,
      vcs: vcs.kind === 'resolved' ? vcs.context : undefined,
      vcsSkipped: vcs.kind === 'skip' ? { reason: vcs.reason, message: vcs.message } : undefined,
      parameters: first?.parameters ?? parameters,
      contract,
      timeoutSeconds: first ? first.timeoutSeconds : timeoutSeconds,
      ...(steps ? { steps } : {}),
    },
  };
}

/** The implementation of a workflow's first step, when the run names none (used for the VCS repository). */
function firstStepImplementation(run: AgentRun, lookup: RunLookup): ImplementationSpecFields | undefined {
  const step = run.spec.workflow?.steps?.[0];
  if (!step) return undefined;
  return (
    step.implementation?.inline ??
    (step.implementationSpecRef ? lookup.implementationSpec(step.implementationSpecRef.name)?.spec : undefined)
  );
}

function resolvePrompt(
  read: SystemPromptRead,
  allowedSecrets: string[],
): SystemPrompt | { reason: string; message: string } {
  switch (read.kind) {
    case 'none':
      return {
        reason: R.MissingSystemPromptConfiguration,
        message:
          'the Agent has no system prompt: set spec.defaults.systemPrompt or spec.defaults.systemPromptRef on the Agent',
      };
    case 'inline':
      if (read.text.length > MAX_SYSTEM_PROMPT)
        return { reason: R.SystemPromptTooLong, message: `the system prompt is over ${MAX_SYSTEM_PROMPT} characters` };
      return { sha256: sha256(read.text), inline: read.text };
    case 'error':
      return {
        reason: R.SystemPromptRefReadFailed,
        message: `reading ${read.ref.kind} ${read.ref.name}: ${read.message}`,
      };
    case 'ref': {
      const { ref } = read;
      if (ref.kind === 'Secret' && allowedSecrets.length && !allowedSecrets.includes(ref.name)) {
        return {
          reason: R.SecretNotAllowed,
          message: `system prompt Secret ${ref.name} is not in the Agent's allowedSecrets`,
        };
      }
      if (!read.exists)
        return { reason: R.MissingSystemPromptRef, message: `${ref.kind} ${ref.name} of the system prompt not found` };
      if (read.text === undefined)
        return { reason: R.InvalidSystemPromptRef, message: `${ref.kind} ${ref.name} has no key ${ref.key}` };
      if (read.text.length > MAX_SYSTEM_PROMPT)
        return { reason: R.SystemPromptTooLong, message: `the system prompt is over ${MAX_SYSTEM_PROMPT} characters` };
      return { sha256: sha256(read.text), ref };
    }
  }
}
