import {
  AGENT_RUN,
  LABELS,
  RUNNER_PATHS,
  RUNNER_ADAPTER_TYPES,
  RUNNER_SCHEMA_VERSION,
  renderTemplate,
  type RunnerAdapter,
  type RunnerAdapterType,
  type AgentRun,
  type RunSpecFile,
  type RunnerSpecFile,
  type WorkloadVolume,
} from '@agents/api';
import { controllerRef, makeName, normalizeLabelValue } from '@agents/kube';
import { runSubject, subjectToken } from '@agents/nats';
import type { ControllersConfig } from '../../config/controllers.config.js';
import { needsAuthSecret } from '../agent-provider/agent-provider.status.js';
import { runtimeConfig, type Resolved } from './agent-run.resolve.js';
import { attemptJobName } from './agent-run.workflow.js';

/**
 * One attempt of a workflow step: its Job and ConfigMaps carry the attempt's name suffix and step labels. A job run
 * has no unit: its one Job and ConfigMaps are named after the run alone.
 */
export interface JobUnit {
  /** `step-<i>-attempt-<n>` or `step-<i>-iter-<k>-attempt-<n>`. */
  suffix: string;
  step: { name: string; index: number; attempt: number; iteration?: number };
  /** Where the provider writes the loop control JSON, on an iteration of a loop with a condition. */
  loopControlPath?: string;
}

/** Names of a run's children: deterministic, so every create is idempotent. */
export const jobName = (run: AgentRun, unit?: JobUnit): string =>
  unit ? attemptJobName(run, unit.suffix) : makeName(run.metadata.name ?? '', 'job');
export const specConfigMapName = (run: AgentRun, unit?: JobUnit): string =>
  makeName(run.metadata.name ?? '', 'spec', ...(unit ? [unit.suffix] : []));
export const inputsConfigMapName = (run: AgentRun, unit?: JobUnit): string =>
  makeName(run.metadata.name ?? '', 'inputs', ...(unit ? [unit.suffix] : []));

/** Where a provider input file is mounted: its own path, or under /workspace when relative. */
export const inputFileMountPath = (path: string): string =>
  path.startsWith('/') ? path : `${RUNNER_PATHS.workspace}/${path.replace(/^\.\//, '')}`;

/** The agent-run label value: the run name when it fits a label value, else a stable shortened form. */
export const runLabelValue = (name: string): string => (name.length <= 63 ? name : makeName(name));

export function childLabels(run: AgentRun, r: Resolved, unit?: JobUnit): Record<string, string> {
  return {
    [LABELS.agentRun]: runLabelValue(run.metadata.name ?? ''),
    [LABELS.agent]: normalizeLabelValue(r.agent.metadata.name),
    [LABELS.provider]: normalizeLabelValue(r.provider.metadata.name),
    [LABELS.implementation]: normalizeLabelValue(r.implementationName),
    ...(unit
      ? {
          [LABELS.step]: normalizeLabelValue(unit.step.name),
          [LABELS.stepIndex]: String(unit.step.index),
          [LABELS.stepAttempt]: String(unit.step.attempt),
          ...(unit.step.iteration !== undefined ? { [LABELS.stepIteration]: String(unit.step.iteration) } : {}),
        }
      : {}),
  };
}

/** Metadata aliases the prompt and templates may use (repo → repository, …). */
const ALIASES: Record<string, string> = {
  repo: 'repository',
  issueRepository: 'repository',
  issue: 'issueNumber',
  issueId: 'issueNumber',
  issue_id: 'issueNumber',
  issue_number: 'issueNumber',
  title: 'issueTitle',
  body: 'issueBody',
  url: 'issueUrl',
  baseBranch: 'base',
  base_ref: 'base',
  baseRef: 'base',
  headBranch: 'head',
  head_ref: 'head',
  headRef: 'head',
};

export function runMetadata(parameters: Record<string, string>): Record<string, string> {
  const meta: Record<string, string> = { ...parameters };
  for (const [alias, canonical] of Object.entries(ALIASES))
    if (parameters[alias] !== undefined) meta[canonical] ??= parameters[alias];
  return meta;
}

export interface EventsConfig {
  natsUrl: string | undefined;
}

export function runSpecFile(run: AgentRun, r: Resolved, unit?: JobUnit): RunSpecFile {
  const metadata = runMetadata(r.parameters);
  const prompt = renderTemplate(r.implementation.text || r.implementation.summary || '', {
    ...metadata,
    metadata,
    parameters: r.parameters,
    inputs: r.parameters,
  });
  return {
    provider: r.provider.metadata.name ?? '',
    agentRun: { name: run.metadata.name ?? '', uid: run.metadata.uid ?? '', namespace: run.metadata.namespace ?? '' },
    agent: { name: r.agent.metadata.name ?? '', config: r.agent.spec.config, env: r.agent.spec.env },
    implementation: r.implementation,
    prompt,
    parameters: r.parameters,
    memory: r.memory,
    artifacts: r.provider.spec.outputArtifacts ?? [],
    ...(r.vcs
      ? {
          vcs: {
            provider: r.vcs.provider,
            providerName: r.vcs.providerName,
            repository: r.vcs.repository,
            baseBranch: r.vcs.baseBranch,
            headBranch: r.vcs.headBranch,
            mode: r.vcs.mode,
          },
        }
      : {}),
    ...(run.spec.goal ? { goal: run.spec.goal } : {}),
    ...(r.systemPrompt.inline !== undefined ? { systemPrompt: r.systemPrompt.inline } : {}),
    metadata,
    ...(unit ? { workflowStep: unit.step } : {}),
  };
}

export function runnerSpecFile(run: AgentRun, r: Resolved, config: ControllersConfig, unit?: JobUnit): RunnerSpecFile {
  const cfg = runtimeConfig(run);
  const agentId = r.agent.metadata.name ?? 'agent';
  const subjectPrefix = runSubject({
    namespace: subjectToken(run.metadata.namespace ?? ''),
    workflow: subjectToken(run.metadata.name ?? ''),
    uid: subjectToken(run.metadata.uid ?? ''),
    agentId: subjectToken(agentId),
    kind: 'x',
  }).slice(0, -1);
  return {
    schemaVersion: RUNNER_SCHEMA_VERSION,
    provider: r.provider.metadata.name ?? '',
    inputs: r.parameters,
    ...(run.spec.goal ? { goal: run.spec.goal } : {}),
    ...(r.timeoutSeconds ? { timeoutSeconds: r.timeoutSeconds } : {}),
    payloads: { eventFilePath: RUNNER_PATHS.runSpec },
    artifacts: {
      statusPath: RUNNER_PATHS.status,
      logPath: RUNNER_PATHS.log,
      logRetentionSeconds: Number(cfg.logRetentionSeconds ?? config.runner.logRetentionSeconds),
    },
    providerSpec: { outputArtifacts: r.provider.spec.outputArtifacts ?? [] },
    adapter: runnerAdapter(run, r),
    systemPrompt: {
      sha256: r.systemPrompt.sha256,
      ...(r.systemPrompt.ref ? { path: SYSTEM_PROMPT_PATH } : {}),
    },
    events: { subjectPrefix, agentId },
    ...(unit?.loopControlPath ? { loop: { controlPath: unit.loopControlPath } } : {}),
  };
}

export const SYSTEM_PROMPT_PATH = `${RUNNER_PATHS.systemPromptDir}/${RUNNER_PATHS.systemPromptFile}`;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const withoutSecretEnv = (v: Record<string, unknown>): Record<string, unknown> => {
  const { secretEnv: _dropped, ...rest } = v;
  return rest;
};

/** The adapter type of REFERENCE §3.1: explicit when valid, else codex-app-server for the runner binary, else exec. */
export function adapterType(binary: string, adapter: unknown): RunnerAdapterType {
  const explicit = isPlainObject(adapter) ? adapter.type : undefined;
  if (typeof explicit === 'string' && (RUNNER_ADAPTER_TYPES as readonly string[]).includes(explicit))
    return explicit as RunnerAdapterType;
  return binary === '' || binary.endsWith('agent-runner') ? 'codex-app-server' : 'exec';
}

const CODEX_DEFAULTS: Record<string, unknown> = {
  binaryPath: 'codex',
  cliConfigOverrides: [],
  cwd: RUNNER_PATHS.workspace,
  model: 'gpt-5.6-sol',
  effort: 'high',
  sandbox: 'danger-full-access',
  approval: 'never',
  threadConfig: { mcp_servers: {}, web_search: 'live' },
};

/**
 * The runner's `adapter`: the provider's explicit adapter map passed through minus `secretEnv`, with the exec
 * command or the codex settings (string fields rendered over the run) filled in.
 */
export function runnerAdapter(run: AgentRun, r: Resolved): RunnerAdapter {
  const spec = r.provider.spec;
  const explicit = isPlainObject(spec.adapter) ? withoutSecretEnv(spec.adapter) : {};
  const type = adapterType(spec.binary ?? '', spec.adapter);
  if (type === 'exec')
    return {
      ...explicit,
      type,
      exec: {
        binary: spec.binary,
        argsTemplate: spec.argsTemplate ?? [],
        envTemplate: spec.envTemplate ?? {},
        inputFiles: spec.inputFiles ?? [],
        outputArtifacts: spec.outputArtifacts ?? [],
      },
    };
  const runSpec = runSpecFile(run, r);
  const context = { ...runSpec, run: runSpec, parameters: r.parameters, inputs: r.parameters };
  const given = isPlainObject(explicit.codex) ? withoutSecretEnv(explicit.codex) : {};
  const codex: Record<string, unknown> = { ...CODEX_DEFAULTS };
  for (const [k, v] of Object.entries(given)) codex[k] = typeof v === 'string' ? renderTemplate(v, context) : v;
  const promptChain = [codex.prompt, runSpec.prompt, r.implementation.text, r.implementation.summary];
  codex.prompt = promptChain.find((p) => typeof p === 'string' && p !== '') ?? JSON.stringify(runSpec);
  if (run.spec.goal && codex.goal === undefined) codex.goal = run.spec.goal;
  if (r.systemPrompt.ref) codex.systemPromptPath ??= SYSTEM_PROMPT_PATH;
  codex.systemPromptExpectedHash ??= r.systemPrompt.sha256;
  return { ...explicit, type, codex };
}

export interface ConfigMapManifest {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ownerReferences: ReturnType<typeof controllerRef>[];
  };
  data: Record<string, string>;
}

/**
 * The run's ConfigMaps: `<run>-spec` with run.json and agent-runner.json, and `<run>-inputs` with the provider's
 * input files (keys `input-<i>`, raw content) when it has any.
 */
export function desiredConfigMaps(
  run: AgentRun,
  r: Resolved,
  config: ControllersConfig,
  unit?: JobUnit,
): ConfigMapManifest[] {
  const metadata = (name: string) => ({
    name,
    namespace: run.metadata.namespace ?? '',
    labels: childLabels(run, r, unit),
    ownerReferences: [controllerRef(run, AGENT_RUN)],
  });
  const spec: ConfigMapManifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(specConfigMapName(run, unit)),
    data: {
      'run.json': `${JSON.stringify(runSpecFile(run, r, unit), null, 2)}\n`,
      'agent-runner.json': `${JSON.stringify(runnerSpecFile(run, r, config, unit), null, 2)}\n`,
    },
  };
  const files = r.provider.spec.inputFiles ?? [];
  if (!files.length) return [spec];
  const inputs: ConfigMapManifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(inputsConfigMapName(run, unit)),
    data: Object.fromEntries(files.map((f, i) => [`input-${i}`, f.content])),
  };
  return [spec, inputs];
}

type Quantities = Record<string, string>;
interface ResourcesSpec {
  requests?: Quantities;
  limits?: Quantities;
}

/** Resources merged per key, low to high: controller default, provider, runtime.config, run workload. */
export function mergeResources(...layers: (ResourcesSpec | undefined)[]): ResourcesSpec {
  const out: ResourcesSpec = {};
  for (const l of layers) {
    if (l?.requests) out.requests = { ...out.requests, ...l.requests };
    if (l?.limits) out.limits = { ...out.limits, ...l.limits };
  }
  return out;
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

function volumeOf(v: WorkloadVolume): Record<string, unknown> {
  if (v.type === 'pvc')
    return { name: v.name, persistentVolumeClaim: { claimName: v.claimName ?? v.name, readOnly: v.readOnly ?? false } };
  if (v.type === 'secret') return { name: v.name, secret: { secretName: v.secretName ?? v.name } };
  return {
    name: v.name,
    emptyDir: { ...(v.medium ? { medium: v.medium } : {}), ...(v.sizeLimit ? { sizeLimit: v.sizeLimit } : {}) },
  };
}

/** The Job of a job run, or of one attempt of a workflow step. Pure: everything it needs is in its arguments. */
export function desiredJob(
  run: AgentRun,
  r: Resolved,
  config: ControllersConfig,
  events: EventsConfig,
  unit?: JobUnit,
): Record<string, unknown> {
  const cfg = runtimeConfig(run);
  const labels = childLabels(run, r, unit);
  const pick = <T>(key: string, fallback: T): T => (cfg[key] as T | undefined) ?? fallback;
  const ttl = Number(cfg.ttlSecondsAfterFinished ?? config.runner.jobTtlSeconds);
  const userVolumes = [...(r.workload?.volumes ?? [])];
  const volumes: Record<string, unknown>[] = [
    { name: 'workspace', emptyDir: {} },
    { name: 'run-spec', configMap: { name: specConfigMapName(run, unit) } },
    ...userVolumes.map(volumeOf),
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'workspace', mountPath: RUNNER_PATHS.workspace },
    { name: 'run-spec', mountPath: RUNNER_PATHS.runSpec, subPath: 'run.json', readOnly: true },
    { name: 'run-spec', mountPath: RUNNER_PATHS.runnerSpec, subPath: 'agent-runner.json', readOnly: true },
    ...userVolumes.map((v) => ({ name: v.name, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) })),
  ];
  const inputFiles = r.provider.spec.inputFiles ?? [];
  if (inputFiles.length) {
    volumes.push({ name: 'provider-inputs', configMap: { name: inputsConfigMapName(run, unit) } });
    inputFiles.forEach((f, i) =>
      mounts.push({
        name: 'provider-inputs',
        mountPath: inputFileMountPath(f.path),
        subPath: `input-${i}`,
        readOnly: true,
      }),
    );
  }
  const ref = r.systemPrompt.ref;
  if (ref) {
    const items = [{ key: ref.key, path: RUNNER_PATHS.systemPromptFile }];
    volumes.push({
      name: 'system-prompt',
      ...(ref.kind === 'Secret'
        ? { secret: { secretName: ref.name, items } }
        : { configMap: { name: ref.name, items } }),
    });
    mounts.push({ name: 'system-prompt', mountPath: RUNNER_PATHS.systemPromptDir, readOnly: true });
  }
  if (r.vcs?.sshSecret) {
    volumes.push({
      name: 'vcs-ssh',
      secret: {
        secretName: r.vcs.sshSecret.name,
        defaultMode: 0o400,
        items: [{ key: r.vcs.sshSecret.key, path: 'key' }],
      },
    });
    mounts.push({ name: 'vcs-ssh', mountPath: '/var/run/secrets/agents/vcs/ssh', readOnly: true });
  }
  if (r.vcs?.knownHosts) {
    volumes.push({
      name: 'vcs-known-hosts',
      configMap: { name: r.vcs.knownHosts.name, items: [{ key: r.vcs.knownHosts.key, path: 'known_hosts' }] },
    });
    mounts.push({ name: 'vcs-known-hosts', mountPath: '/var/run/secrets/agents/vcs/known-hosts', readOnly: true });
  }
  const auth = config.authSecret;
  const mountsAuth = auth.name !== undefined && needsAuthSecret(r.provider);
  if (mountsAuth) {
    if (!mounts.some((m) => m.mountPath === auth.mountPath)) {
      volumes.push({ name: 'codex-home', emptyDir: {} });
      mounts.push({ name: 'codex-home', mountPath: auth.mountPath });
    }
    volumes.push({
      name: 'provider-auth',
      secret: { secretName: auth.name, items: [{ key: auth.key, path: auth.key }] },
    });
    mounts.push({
      name: 'provider-auth',
      mountPath: `${auth.mountPath}/${auth.key}`,
      subPath: auth.key,
      readOnly: true,
    });
  }
  const token = r.provider.spec.workload?.serviceAccountToken;
  if (token) {
    volumes.push({
      name: 'service-account-token',
      projected: {
        defaultMode: 0o644,
        sources: [
          {
            serviceAccountToken: {
              audience: token.audience,
              expirationSeconds: token.expirationSeconds,
              path: 'token',
            },
          },
        ],
      },
    });
    mounts.push({ name: 'service-account-token', mountPath: token.mountPath, readOnly: true });
  }
  const env: unknown[] = [
    { name: 'AGENT_RUN_SPEC', value: RUNNER_PATHS.runSpec },
    { name: 'AGENT_RUNNER_SPEC_PATH', value: RUNNER_PATHS.runnerSpec },
    { name: 'AGENT_PROVIDER', value: r.provider.metadata.name },
    { name: 'AGENT_RUN_NAME', value: run.metadata.name },
    { name: 'AGENT_RUN_NAMESPACE', value: run.metadata.namespace },
    { name: 'AGENT_RUN_UID', value: run.metadata.uid },
    { name: 'CODEX_HOME', value: auth.mountPath },
    ...(mountsAuth ? [{ name: 'CODEX_AUTH', value: `${auth.mountPath}/${auth.key}` }] : []),
    ...(ref ? [{ name: 'CODEX_SYSTEM_PROMPT_PATH', value: SYSTEM_PROMPT_PATH }] : []),
    { name: 'CODEX_SYSTEM_PROMPT_EXPECTED_HASH', value: r.systemPrompt.sha256 },
    { name: 'CODEX_SYSTEM_PROMPT_REQUIRED', value: 'true' },
    ...(events.natsUrl ? [{ name: 'NATS_URL', value: events.natsUrl }] : []),
    ...(token ? [{ name: 'AGENTS_MCP_IDENTITY_TOKEN_PATH', value: `${token.mountPath}/token` }] : []),
    ...(r.agent.spec.env ?? []).map((e) => ({ name: e.name, value: e.value })),
    ...(r.provider.spec.secretEnv ?? []).map((s) => ({
      name: s.name,
      valueFrom: {
        secretKeyRef: { name: s.secretName, key: s.key, ...(s.optional !== undefined ? { optional: s.optional } : {}) },
      },
    })),
    ...(r.vcs?.env ?? []),
    ...(unit
      ? [
          { name: 'AGENT_WORKFLOW_STEP', value: unit.step.name },
          { name: 'AGENT_WORKFLOW_STEP_INDEX', value: String(unit.step.index) },
          { name: 'AGENT_WORKFLOW_STEP_ATTEMPT', value: String(unit.step.attempt) },
          ...(unit.step.iteration !== undefined
            ? [{ name: 'AGENT_WORKFLOW_STEP_ITERATION', value: String(unit.step.iteration) }]
            : []),
        ]
      : []),
  ];
  const resources = mergeResources(
    config.runner.resources,
    r.provider.spec.workload?.resources,
    cfg.resources as ResourcesSpec,
    r.workload?.resources,
  );
  const podSpec: Record<string, unknown> = {
    restartPolicy: 'Never',
    serviceAccountName: r.serviceAccount,
    automountServiceAccountToken: false,
    nodeSelector: pick('nodeSelector', config.runner.nodeSelector),
    tolerations: pick('tolerations', config.runner.tolerations),
    topologySpreadConstraints: pick('topologySpreadConstraints', config.runner.topologySpreadConstraints),
    affinity: pick('affinity', config.runner.affinity),
    securityContext: pick('securityContext', config.runner.podSecurityContext),
    imagePullSecrets: pick('imagePullSecrets', config.runner.imagePullSecrets),
    priorityClassName: pick('priorityClassName', config.runner.priorityClassName),
    schedulerName: pick('schedulerName', config.runner.schedulerName),
    containers: [
      {
        name: 'agent-runner',
        image: r.image,
        ...(config.runner.imagePullPolicy ? { imagePullPolicy: config.runner.imagePullPolicy } : {}),
        env,
        envFrom: (run.spec.secrets ?? []).map((name) => ({ secretRef: { name } })),
        resources,
        volumeMounts: mounts,
        terminationMessagePath: RUNNER_PATHS.status,
        terminationMessagePolicy: 'File',
      },
    ],
    volumes,
  };
  for (const [k, v] of Object.entries(podSpec)) {
    const empty =
      v === undefined ||
      (Array.isArray(v) && v.length === 0) ||
      (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
    if (empty && k !== 'containers') delete podSpec[k];
  }
  const deadline = Number(cfg.activeDeadlineSeconds ?? (r.timeoutSeconds ? r.timeoutSeconds + 60 : 0));
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(run, unit),
      namespace: run.metadata.namespace,
      labels,
      ownerReferences: [controllerRef(run, AGENT_RUN)],
    },
    spec: {
      backoffLimit: Number(cfg.backoffLimit ?? config.runner.backoffLimit),
      ...(ttl > 0 ? { ttlSecondsAfterFinished: clamp(ttl, 30, 604_800) } : {}),
      ...(deadline > 0 ? { activeDeadlineSeconds: deadline } : {}),
      template: {
        metadata: {
          labels: { ...((cfg.podLabels as Record<string, string>) ?? {}), ...labels },
          ...(cfg.podAnnotations ? { annotations: cfg.podAnnotations } : {}),
        },
        spec: podSpec,
      },
    },
  };
}
