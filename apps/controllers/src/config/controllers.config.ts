import type { KubeconfigEnv } from '@agents/kube';
import {
  IsBooleanText,
  IsJsonOf,
  IsList,
  Sensitive,
  loadEnvConfig,
  parseBoolean,
  parseJson,
  parseList,
} from '@agents/config';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { hostname } from 'node:os';

const DNS_LIST = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

function Int(min: number, max = 2 ** 31 - 1): PropertyDecorator {
  return (target, key) => {
    Type(() => Number)(target, key);
    IsInt()(target, key);
    Min(min)(target, key);
    Max(max)(target, key);
  };
}

/**
 * Every variable the controllers read. Property names are the exact env names (the chart's values → env mapping);
 * initialisers are the defaults.
 */
export class ControllersEnv {
  // HTTP (/healthz, /readyz, /metrics)
  @Int(1, 65535) JANGAR_PORT = 8080;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(65535) PORT?: number;

  // Prometheus metrics (the chart's metrics.enabled and metrics.path, the path its ServiceMonitor scrapes)
  @IsBooleanText() JANGAR_PROMETHEUS_METRICS_ENABLED = 'true';
  @Matches(/^\/[^\s?#]*$/, { message: 'JANGAR_PROMETHEUS_METRICS_PATH must be a URL path starting with "/"' })
  JANGAR_PROMETHEUS_METRICS_PATH = '/metrics';

  // Identity and scope
  @IsOptional() @IsString() JANGAR_POD_NAMESPACE?: string;
  @IsOptional() @IsString() JANGAR_POD_NAME?: string;
  @IsOptional()
  @Matches(DNS_LIST, {
    message: 'JANGAR_AGENTS_CONTROLLER_NAMESPACES must be "*" or a comma-separated list of namespace names',
  })
  JANGAR_AGENTS_CONTROLLER_NAMESPACES?: string;
  /** The chart's controller.enabled: reconcile AgentRuns (off: this process leaves runs to another controller). */
  @IsBooleanText() JANGAR_AGENTS_CONTROLLER_ENABLED = 'true';

  // Kubernetes client
  @Int(0, 100_000) JANGAR_KUBE_API_QPS = 100;
  @Int(0, 100_000) JANGAR_KUBE_API_BURST = 200;
  @Int(1, 256) JANGAR_AGENTS_CONTROLLER_WORKERS = 8;
  @Int(10, 86_400) JANGAR_AGENTS_CONTROLLER_RESYNC_INTERVAL_SECONDS = 300;
  @Int(10, 3600) JANGAR_AGENTS_CONTROLLER_WATCH_TIMEOUT_SECONDS = 300;

  // Leader election
  @IsBooleanText() JANGAR_LEADER_ELECTION_ENABLED = 'true';
  @IsString() JANGAR_LEADER_ELECTION_LEASE_NAME = 'agents-controller-leader';
  @IsOptional() @IsString() JANGAR_LEADER_ELECTION_LEASE_NAMESPACE?: string;
  @Int(2, 3600) JANGAR_LEADER_ELECTION_LEASE_DURATION_SECONDS = 30;
  @Int(1, 3600) JANGAR_LEADER_ELECTION_RENEW_DEADLINE_SECONDS = 20;
  @Int(1, 3600) JANGAR_LEADER_ELECTION_RETRY_PERIOD_SECONDS = 5;

  // Admission limits
  @Int(0) JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE = 10;
  @Int(0) JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT = 5;
  @Int(0) JANGAR_AGENTS_CONTROLLER_CONCURRENCY_CLUSTER = 100;
  @IsBooleanText() JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_ENABLED = 'false';
  @Int(0) JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_DEFAULT = 0;
  @IsJsonOf('object') JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_OVERRIDES = '{}';
  @Int(0) JANGAR_AGENTS_CONTROLLER_QUEUE_NAMESPACE = 200;
  @Int(0) JANGAR_AGENTS_CONTROLLER_QUEUE_REPO = 50;
  @Int(0) JANGAR_AGENTS_CONTROLLER_QUEUE_CLUSTER = 1000;
  @Int(1) JANGAR_AGENTS_CONTROLLER_RATE_WINDOW_SECONDS = 60;
  @Int(0) JANGAR_AGENTS_CONTROLLER_RATE_NAMESPACE = 120;
  @Int(0) JANGAR_AGENTS_CONTROLLER_RATE_REPO = 30;
  @Int(0) JANGAR_AGENTS_CONTROLLER_RATE_CLUSTER = 600;

  // Admission policy (JSON arrays or comma lists; `*` globs)
  @IsList() JANGAR_AGENTS_CONTROLLER_LABELS_REQUIRED = '';
  @IsList() JANGAR_AGENTS_CONTROLLER_LABELS_ALLOWED = '';
  @IsList() JANGAR_AGENTS_CONTROLLER_LABELS_DENIED = '';
  @IsList() JANGAR_AGENTS_CONTROLLER_IMAGES_ALLOWED = '';
  @IsList() JANGAR_AGENTS_CONTROLLER_IMAGES_DENIED = '';
  @IsList() JANGAR_AGENTS_CONTROLLER_BLOCKED_SECRETS = '';

  // Retention
  @Int(0) JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_SECONDS = 2_592_000;
  @Int(0) JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_MAX_DELETES_PER_NAMESPACE = 100;
  @Int(0) JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_ZERO_TTL_MAX_SECONDS = 0;

  // Housekeeping on every resync
  /** A run nobody has handled (no status, an old observedGeneration) for this long marks ingestion degraded. */
  @Int(1, 86_400) JANGAR_AGENTS_CONTROLLER_UNTOUCHED_WARN_AFTER_SECONDS = 120;
  /**
   * An AgentRun watch that has delivered nothing, not even a bookmark, for this long marks its namespaces degraded
   * ("blind"). The API server bookmarks a healthy quiet watch about every minute: under 60 s this flags quiet
   * namespaces, which only tests want.
   */
  @Int(1, 86_400) JANGAR_AGENTS_CONTROLLER_WATCH_SILENCE_WARN_SECONDS = 180;
  /** Finished runner pods whose Job is gone: left alone, counted (audit) or deleted. */
  @IsIn(['disabled', 'audit', 'delete'], {
    message: 'JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_CLEANUP_MODE must be one of disabled, audit, delete',
  })
  JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_CLEANUP_MODE = 'disabled';
  @Int(0) JANGAR_AGENTS_CONTROLLER_ORPHAN_POD_RETENTION_SECONDS = 86_400;
  @Int(0) JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_MAX_DELETES_PER_NAMESPACE = 25;

  // Runs
  /** How long a new run waits for the Agent, provider, ImplementationSpec or Memory it names to appear before failing. */
  @Int(0, 86_400) JANGAR_AGENTS_CONTROLLER_DEPENDENCY_GRACE_SECONDS = 120;
  @IsBooleanText() JANGAR_AGENTRUN_IMMUTABILITY_ENFORCED = 'true';
  @IsBooleanText() JANGAR_AGENTRUN_IDEMPOTENCY_ENABLED = 'true';
  @Int(0, 50) JANGAR_AGENTRUN_ARTIFACTS_MAX = 50;
  @IsBooleanText() JANGAR_AGENTRUN_ARTIFACTS_STRICT = 'false';

  // Workflow runtime (REFERENCE §3.2): step loops are off unless enabled
  @IsBooleanText() JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOPS_ENABLED = 'false';
  @Int(1, 10_000) JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOP_MAX_ITERATIONS = 20;
  @Int(1, 50) JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOP_STATUS_HISTORY_LIMIT = 50;

  // The runner Job
  @IsOptional() @IsString() JANGAR_AGENT_RUNNER_IMAGE?: string;
  @IsOptional() @IsString() JANGAR_AGENT_IMAGE?: string;
  @IsOptional()
  @IsIn(['Always', 'IfNotPresent', 'Never', ''], {
    message: 'JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY must be one of Always, IfNotPresent, Never',
  })
  JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY?: string;
  @IsOptional() @IsString() JANGAR_AGENT_RUNNER_SERVICE_ACCOUNT?: string;
  @Int(0, 100) JANGAR_AGENT_RUNNER_BACKOFF_LIMIT = 0;
  @Int(0) JANGAR_AGENT_RUNNER_JOB_TTL_SECONDS = 600;
  @Int(0) JANGAR_AGENT_RUNNER_LOG_RETENTION_SECONDS = 604_800;
  @IsJsonOf('object') JANGAR_AGENT_RUNNER_NODE_SELECTOR = '{}';
  @IsJsonOf('array') JANGAR_AGENT_RUNNER_TOLERATIONS = '[]';
  @IsJsonOf('array') JANGAR_AGENT_RUNNER_TOPOLOGY_SPREAD_CONSTRAINTS = '[]';
  @IsJsonOf('object') JANGAR_AGENT_RUNNER_AFFINITY = '{}';
  @IsJsonOf('object') JANGAR_AGENT_RUNNER_POD_SECURITY_CONTEXT = '{}';
  @IsJsonOf('object') JANGAR_AGENT_RUNNER_RESOURCES = '{}';
  @IsJsonOf('array') JANGAR_AGENT_RUNNER_IMAGE_PULL_SECRETS = '[]';
  @IsOptional() @IsString() JANGAR_AGENT_RUNNER_PRIORITY_CLASS?: string;
  @IsOptional() @IsString() JANGAR_AGENT_RUNNER_SCHEDULER_NAME?: string;

  // Provider auth secret (autonomous CLI providers)
  @IsOptional() @IsString() JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_NAME?: string;
  @IsString() JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_KEY = 'auth.json';
  @IsString() JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_MOUNT_PATH = '/root/.codex';

  // Version control providers
  @IsBooleanText() JANGAR_AGENTS_CONTROLLER_VCS_PROVIDERS_ENABLED = 'true';
  @IsJsonOf('object') JANGAR_AGENTS_CONTROLLER_VCS_DEPRECATED_TOKEN_TYPES = '{"github":["pat"]}';
  @IsJsonOf('object') JANGAR_AGENTS_CONTROLLER_VCS_PR_RATE_LIMITS = '{}';

  // Events to NATS (optional)
  @IsOptional() @Matches(/^(nats|tls|wss?):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL?: string;
  @IsOptional() @IsString() NATS_USER?: string;
  @Sensitive() @IsOptional() @IsString() NATS_PASSWORD?: string;
  @Int(1, 1_000_000) JANGAR_AGENT_COMMS_PUBLISH_BUFFER = 10_000;

  @IsIn(['debug', 'info', 'warn', 'error']) JANGAR_LOG_LEVEL = 'info';

  // Cluster access: a kubeconfig file, else the in-cluster ServiceAccount
  @IsOptional() @IsString() KUBECONFIG?: string;
  @IsOptional() @IsString() KUBERNETES_SERVICE_HOST?: string;
  @IsOptional() @IsString() KUBERNETES_SERVICE_PORT?: string;
}

export interface LimitConfig {
  perNamespace: number;
  perAgent: number;
  perRepo: number;
  cluster: number;
}

export interface ControllersConfig {
  readonly httpPort: number;
  readonly metrics: { enabled: boolean; path: string };
  readonly podNamespace: string;
  readonly identity: string;
  readonly namespaces: readonly string[] | '*';
  /** Whether the AgentRun reconciler runs (JANGAR_AGENTS_CONTROLLER_ENABLED). */
  readonly agentRunsEnabled: boolean;
  readonly kubeApi: { qps: number; burst: number };
  readonly workers: number;
  readonly resyncIntervalMs: number;
  readonly watchTimeoutSeconds: number;
  readonly leaderElection: {
    enabled: boolean;
    leaseName: string;
    leaseNamespace: string;
    leaseDurationSeconds: number;
    renewDeadlineSeconds: number;
    retryPeriodSeconds: number;
  };
  readonly limits: {
    concurrency: Omit<LimitConfig, 'perRepo'> & {
      repoEnabled: boolean;
      repoDefault: number;
      repoOverrides: Record<string, number>;
    };
    queue: { perNamespace: number; perRepo: number; cluster: number };
    rate: { windowSeconds: number; perNamespace: number; perRepo: number; cluster: number };
  };
  readonly admission: {
    labelsRequired: string[];
    labelsAllowed: string[];
    labelsDenied: string[];
    imagesAllowed: string[];
    imagesDenied: string[];
    blockedSecrets: string[];
  };
  readonly retention: { seconds: number; maxDeletesPerNamespace: number; zeroTtlMaxSeconds: number };
  readonly housekeeping: {
    untouchedWarnAfterSeconds: number;
    watchSilenceWarnSeconds: number;
    debrisMode: 'disabled' | 'audit' | 'delete';
    orphanPodRetentionSeconds: number;
    debrisMaxDeletesPerNamespace: number;
  };
  readonly runs: {
    immutabilityEnforced: boolean;
    idempotencyEnabled: boolean;
    artifactsMax: number;
    artifactsStrict: boolean;
    dependencyGraceSeconds: number;
  };
  readonly workflow: { loopsEnabled: boolean; loopMaxIterations: number; loopHistoryLimit: number };
  readonly runner: {
    image: string | undefined;
    /** imagePullPolicy of the runner container; undefined leaves the Kubernetes default. */
    imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never' | undefined;
    serviceAccount: string | undefined;
    backoffLimit: number;
    jobTtlSeconds: number;
    logRetentionSeconds: number;
    nodeSelector: Record<string, string>;
    tolerations: unknown[];
    topologySpreadConstraints: unknown[];
    affinity: Record<string, unknown>;
    podSecurityContext: Record<string, unknown>;
    resources: { requests?: Record<string, string>; limits?: Record<string, string> };
    imagePullSecrets: { name: string }[];
    priorityClassName: string | undefined;
    schedulerName: string | undefined;
  };
  readonly authSecret: { name: string | undefined; key: string; mountPath: string };
  readonly vcs: {
    enabled: boolean;
    deprecatedTokenTypes: Record<string, string[]>;
    prRateLimits: Record<string, unknown>;
  };
  readonly nats: {
    url: string | undefined;
    user: string | undefined;
    password: string | undefined;
    bufferSize: number;
  };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly kubeconfig: KubeconfigEnv;
}

const obj = <T>(text: string) => (parseJson(text) ?? {}) as T;
const arr = <T>(text: string) => (parseJson(text) ?? []) as T[];
const bool = (text: string) => parseBoolean(text) ?? false;
const list = (text: string) => parseList(text) ?? [];

export function toControllersConfig(e: ControllersEnv): ControllersConfig {
  const podNamespace = e.JANGAR_POD_NAMESPACE ?? 'default';
  const ns = e.JANGAR_AGENTS_CONTROLLER_NAMESPACES ?? podNamespace;
  const pullSecrets = arr<string | { name: string }>(e.JANGAR_AGENT_RUNNER_IMAGE_PULL_SECRETS).map((s) =>
    typeof s === 'string' ? { name: s } : s,
  );
  return {
    httpPort: e.PORT && e.JANGAR_PORT === 8080 ? e.PORT : e.JANGAR_PORT,
    podNamespace,
    identity: `${e.JANGAR_POD_NAME ?? hostname()}_${process.pid}`,
    namespaces: ns === '*' ? '*' : ns.split(','),
    agentRunsEnabled: bool(e.JANGAR_AGENTS_CONTROLLER_ENABLED),
    kubeApi: { qps: e.JANGAR_KUBE_API_QPS, burst: e.JANGAR_KUBE_API_BURST },
    workers: e.JANGAR_AGENTS_CONTROLLER_WORKERS,
    resyncIntervalMs: e.JANGAR_AGENTS_CONTROLLER_RESYNC_INTERVAL_SECONDS * 1000,
    watchTimeoutSeconds: e.JANGAR_AGENTS_CONTROLLER_WATCH_TIMEOUT_SECONDS,
    leaderElection: {
      enabled: bool(e.JANGAR_LEADER_ELECTION_ENABLED),
      leaseName: e.JANGAR_LEADER_ELECTION_LEASE_NAME,
      leaseNamespace: e.JANGAR_LEADER_ELECTION_LEASE_NAMESPACE ?? podNamespace,
      leaseDurationSeconds: e.JANGAR_LEADER_ELECTION_LEASE_DURATION_SECONDS,
      renewDeadlineSeconds: e.JANGAR_LEADER_ELECTION_RENEW_DEADLINE_SECONDS,
      retryPeriodSeconds: e.JANGAR_LEADER_ELECTION_RETRY_PERIOD_SECONDS,
    },
    limits: {
      concurrency: {
        perNamespace: e.JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE,
        perAgent: e.JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT,
        cluster: e.JANGAR_AGENTS_CONTROLLER_CONCURRENCY_CLUSTER,
        repoEnabled: bool(e.JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_ENABLED),
        repoDefault: e.JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_DEFAULT,
        repoOverrides: Object.fromEntries(
          Object.entries(obj<Record<string, number>>(e.JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_OVERRIDES)).map(
            ([k, v]) => [k.toLowerCase(), Number(v)],
          ),
        ),
      },
      queue: {
        perNamespace: e.JANGAR_AGENTS_CONTROLLER_QUEUE_NAMESPACE,
        perRepo: e.JANGAR_AGENTS_CONTROLLER_QUEUE_REPO,
        cluster: e.JANGAR_AGENTS_CONTROLLER_QUEUE_CLUSTER,
      },
      rate: {
        windowSeconds: e.JANGAR_AGENTS_CONTROLLER_RATE_WINDOW_SECONDS,
        perNamespace: e.JANGAR_AGENTS_CONTROLLER_RATE_NAMESPACE,
        perRepo: e.JANGAR_AGENTS_CONTROLLER_RATE_REPO,
        cluster: e.JANGAR_AGENTS_CONTROLLER_RATE_CLUSTER,
      },
    },
    admission: {
      labelsRequired: list(e.JANGAR_AGENTS_CONTROLLER_LABELS_REQUIRED),
      labelsAllowed: list(e.JANGAR_AGENTS_CONTROLLER_LABELS_ALLOWED),
      labelsDenied: list(e.JANGAR_AGENTS_CONTROLLER_LABELS_DENIED),
      imagesAllowed: list(e.JANGAR_AGENTS_CONTROLLER_IMAGES_ALLOWED),
      imagesDenied: list(e.JANGAR_AGENTS_CONTROLLER_IMAGES_DENIED),
      blockedSecrets: list(e.JANGAR_AGENTS_CONTROLLER_BLOCKED_SECRETS),
    },
    retention: {
      seconds: e.JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_SECONDS,
      maxDeletesPerNamespace: e.JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_MAX_DELETES_PER_NAMESPACE,
      zeroTtlMaxSeconds: e.JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_ZERO_TTL_MAX_SECONDS,
    },
    housekeeping: {
      untouchedWarnAfterSeconds: e.JANGAR_AGENTS_CONTROLLER_UNTOUCHED_WARN_AFTER_SECONDS,
      watchSilenceWarnSeconds: e.JANGAR_AGENTS_CONTROLLER_WATCH_SILENCE_WARN_SECONDS,
      debrisMode: e.JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_CLEANUP_MODE as 'disabled' | 'audit' | 'delete',
      orphanPodRetentionSeconds: e.JANGAR_AGENTS_CONTROLLER_ORPHAN_POD_RETENTION_SECONDS,
      debrisMaxDeletesPerNamespace: e.JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_MAX_DELETES_PER_NAMESPACE,
    },
    runs: {
      immutabilityEnforced: bool(e.JANGAR_AGENTRUN_IMMUTABILITY_ENFORCED),
      idempotencyEnabled: bool(e.JANGAR_AGENTRUN_IDEMPOTENCY_ENABLED),
      artifactsMax: e.JANGAR_AGENTRUN_ARTIFACTS_MAX,
      artifactsStrict: bool(e.JANGAR_AGENTRUN_ARTIFACTS_STRICT),
      dependencyGraceSeconds: e.JANGAR_AGENTS_CONTROLLER_DEPENDENCY_GRACE_SECONDS,
    },
    workflow: {
      loopsEnabled: bool(e.JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOPS_ENABLED),
      loopMaxIterations: e.JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOP_MAX_ITERATIONS,
      loopHistoryLimit: e.JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOP_STATUS_HISTORY_LIMIT,
    },
    runner: {
      image: e.JANGAR_AGENT_RUNNER_IMAGE || e.JANGAR_AGENT_IMAGE || undefined,
      imagePullPolicy: (e.JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY ||
        undefined) as ControllersConfig['runner']['imagePullPolicy'],
      serviceAccount: e.JANGAR_AGENT_RUNNER_SERVICE_ACCOUNT || undefined,
      backoffLimit: e.JANGAR_AGENT_RUNNER_BACKOFF_LIMIT,
      jobTtlSeconds: e.JANGAR_AGENT_RUNNER_JOB_TTL_SECONDS,
      logRetentionSeconds: e.JANGAR_AGENT_RUNNER_LOG_RETENTION_SECONDS,
      nodeSelector: obj(e.JANGAR_AGENT_RUNNER_NODE_SELECTOR),
      tolerations: arr(e.JANGAR_AGENT_RUNNER_TOLERATIONS),
      topologySpreadConstraints: arr(e.JANGAR_AGENT_RUNNER_TOPOLOGY_SPREAD_CONSTRAINTS),
      affinity: obj(e.JANGAR_AGENT_RUNNER_AFFINITY),
      podSecurityContext: obj(e.JANGAR_AGENT_RUNNER_POD_SECURITY_CONTEXT),
      resources: obj(e.JANGAR_AGENT_RUNNER_RESOURCES),
      imagePullSecrets: pullSecrets,
      priorityClassName: e.JANGAR_AGENT_RUNNER_PRIORITY_CLASS || undefined,
      schedulerName: e.JANGAR_AGENT_RUNNER_SCHEDULER_NAME || undefined,
    },
    authSecret: {
      name: e.JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_NAME || undefined,
      key: e.JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_KEY,
      mountPath: e.JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_MOUNT_PATH,
    },
    vcs: {
      enabled: bool(e.JANGAR_AGENTS_CONTROLLER_VCS_PROVIDERS_ENABLED),
      deprecatedTokenTypes: obj(e.JANGAR_AGENTS_CONTROLLER_VCS_DEPRECATED_TOKEN_TYPES),
      prRateLimits: obj(e.JANGAR_AGENTS_CONTROLLER_VCS_PR_RATE_LIMITS),
    },
    nats: {
      url: e.NATS_URL,
      user: e.NATS_USER,
      password: e.NATS_PASSWORD,
      bufferSize: e.JANGAR_AGENT_COMMS_PUBLISH_BUFFER,
    },
    metrics: { enabled: bool(e.JANGAR_PROMETHEUS_METRICS_ENABLED), path: e.JANGAR_PROMETHEUS_METRICS_PATH },
    logLevel: e.JANGAR_LOG_LEVEL as ControllersConfig['logLevel'],
    kubeconfig: {
      KUBECONFIG: e.KUBECONFIG,
      KUBERNETES_SERVICE_HOST: e.KUBERNETES_SERVICE_HOST,
      KUBERNETES_SERVICE_PORT: e.KUBERNETES_SERVICE_PORT,
    },
  };
}

/** The only place the controllers read process.env. */
export function loadControllersConfig(env: Record<string, string | undefined> = process.env): ControllersConfig {
  return toControllersConfig(loadEnvConfig('controllers', ControllersEnv, env));
}
