import { IsBooleanText, IsJsonOf, Sensitive, loadEnvConfig, parseBoolean, parseList } from '@agents/config';
import type { KubeconfigEnv } from '@agents/kube';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import type { AuditSinkConfig } from '../runs/audit-trail.js';

function Int(min: number, max = 2 ** 31 - 1): PropertyDecorator {
  return (target, key) => {
    Type(() => Number)(target, key);
    IsInt()(target, key);
    Min(min)(target, key);
    Max(max)(target, key);
  };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** The object of a headers JSON value ('' means none); undefined when it is not a JSON object (IsJsonOf says so). */
function headerObject(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined || v === '') return {};
  try {
    const parsed: unknown = JSON.parse(String(v));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The first header fetch would refuse (with its value in the error, on every event), or undefined. */
function invalidHeader(v: unknown): string | undefined {
  return Object.entries(headerObject(v) ?? {}).find(
    ([k, val]) => !HEADER_NAME.test(k) || !HEADER_VALUE.test(String(val)),
  )?.[0];
}

/** HTTP header names and values fetch accepts; the error names the header, never its value. */
function IsHttpHeadersJson(): PropertyDecorator {
  return ValidateBy({
    name: 'isHttpHeadersJson',
    validator: {
      validate: (v: unknown) => invalidHeader(v) === undefined,
      defaultMessage: (a) =>
        `header ${JSON.stringify(invalidHeader(a?.value))} must be a valid HTTP header (a token name, a value without line breaks)`,
    },
  });
}

const DNS_LIST = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
/** Subjects of the agent-comms stream: under workflow. or agents.workflow., wildcards allowed. */
const SUBJECT = String.raw`\s*(agents\.)?workflow(\.[^.\s,*>]+|\.\*)*(\.>|\.\*|\.[^.\s,*>]+)\s*`;
const SUBJECT_LIST = new RegExp(`^${SUBJECT}(,${SUBJECT})*$`);
const ORIGIN = String.raw`\s*https?://[^\s,/]+\s*`;
const ORIGIN_LIST = new RegExp(String.raw`^(\s*\*\s*|${ORIGIN}(,${ORIGIN})*)$`);

/** Every variable the control plane reads. Property names are the exact env names; initialisers are the defaults. */
export class ControlPlaneEnv {
  @Int(1, 65535) JANGAR_PORT = 8080;

  // Prometheus metrics (the chart's metrics.enabled and metrics.path, the path its ServiceMonitor scrapes)
  @IsBooleanText() JANGAR_PROMETHEUS_METRICS_ENABLED = 'true';
  @Matches(/^\/[^\s?#]*$/, { message: 'JANGAR_PROMETHEUS_METRICS_PATH must be a URL path starting with "/"' })
  JANGAR_PROMETHEUS_METRICS_PATH = '/metrics';

  @IsOptional() @IsString() JANGAR_POD_NAMESPACE?: string;
  @IsOptional() @IsString() JANGAR_POD_NAME?: string;
  @IsOptional()
  @Matches(DNS_LIST, {
    message: 'JANGAR_AGENTS_CONTROLLER_NAMESPACES must be "*" or a comma-separated list of namespace names',
  })
  JANGAR_AGENTS_CONTROLLER_NAMESPACES?: string;

  // Postgres
  @Sensitive()
  @IsString({ message: 'DATABASE_URL must be set to a postgres:// URL' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL!: string;
  @IsOptional() @IsString() PGSSLROOTCERT?: string;
  @IsIn(['auto', 'skip']) JANGAR_MIGRATIONS = 'auto';
  @Int(1, 200) JANGAR_DB_POOL_MAX = 10;

  // gRPC for agentctl
  @IsBooleanText() JANGAR_GRPC_ENABLED = 'true';
  @IsString() JANGAR_GRPC_HOST = '127.0.0.1';
  @Int(1, 65535) JANGAR_GRPC_PORT = 50051;
  @Sensitive() @IsOptional() @IsString() JANGAR_GRPC_TOKEN?: string;

  // NATS ingest of agent events
  @IsOptional() @Matches(/^(nats|tls|wss?):\/\//, { message: 'NATS_URL must be a nats:// URL' }) NATS_URL?: string;
  @IsOptional() @IsString() NATS_USER?: string;
  @Sensitive() @IsOptional() @IsString() NATS_PASSWORD?: string;
  @IsBooleanText() JANGAR_AGENT_COMMS_SUBSCRIBER_DISABLED = 'false';
  @Matches(/^[A-Za-z0-9_-]+$/, {
    message: 'JANGAR_AGENT_COMMS_CONSUMER must be a durable name: letters, digits, _ or -',
  })
  JANGAR_AGENT_COMMS_CONSUMER = 'agents-agent-comms';
  @IsOptional()
  @Matches(SUBJECT_LIST, {
    message:
      'JANGAR_AGENT_COMMS_SUBJECTS must be comma-separated NATS subjects under workflow. or agents.workflow. (e.g. workflow.team-a.>)',
  })
  JANGAR_AGENT_COMMS_SUBJECTS?: string;
  @Int(1, 10_000) JANGAR_AGENT_COMMS_BATCH_SIZE = 250;

  // HTTP
  @IsOptional()
  @Matches(ORIGIN_LIST, {
    message: 'JANGAR_CORS_ALLOWED_ORIGINS must be comma-separated origins (https://app.example.com) or *',
  })
  JANGAR_CORS_ALLOWED_ORIGINS?: string;

  // Audit sink (a copy of each audit event; Postgres keeps the record)
  @IsIn(['none', 'stdout', 'http'], { message: 'JANGAR_AUDIT_SINK_TYPE must be one of none, stdout, http' })
  JANGAR_AUDIT_SINK_TYPE = 'none';
  /** Sensitive: a URL may carry a token in its query. */
  @Sensitive()
  @ValidateIf((e: ControlPlaneEnv) => e.JANGAR_AUDIT_SINK_TYPE === 'http')
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, disallow_auth: true },
    {
      message:
        'JANGAR_AUDIT_SINK_HTTP_URL must be an http(s) URL when JANGAR_AUDIT_SINK_TYPE is http, without credentials (user:password@host: send them in a header of JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON)',
    },
  )
  JANGAR_AUDIT_SINK_HTTP_URL?: string;
  @Int(1, 600_000) JANGAR_AUDIT_SINK_HTTP_TIMEOUT_MS = 2000;
  /** Headers of each POST, e.g. an Authorization token (hence sensitive). */
  @Sensitive()
  @IsJsonOf('object')
  @IsHttpHeadersJson()
  JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON = '{}';

  // SSE
  @Int(1, 300) JANGAR_SSE_HEARTBEAT_SECONDS = 15;
  @Int(16 * 1024, 64 * 1024 * 1024) JANGAR_SSE_MAX_BUFFER_BYTES = 1024 * 1024;
  @Int(1, 3600) JANGAR_SSE_STALL_SECONDS = 15;
  /**
   * The recent events each replica keeps in memory for its SSE readers, by count and by content bytes; a reader that
   * falls further behind reads from Postgres. The byte bound is what large events meet first: each event held also
   * keeps its SSE encoding while it is being sent, so it costs about twice its content.
   */
  @Int(100, 1_000_000) JANGAR_SSE_WINDOW_EVENTS = 20_000;
  @Int(64 * 1024, 1024 * 1024 * 1024) JANGAR_SSE_WINDOW_BYTES = 4 * 1024 * 1024;

  // Kubernetes client
  @Int(0, 100_000) JANGAR_KUBE_API_QPS = 100;
  @Int(0, 100_000) JANGAR_KUBE_API_BURST = 200;
  @IsString() JANGAR_LEADER_ELECTION_LEASE_NAME = 'agents-controller-leader';
  @IsOptional() @IsString() JANGAR_LEADER_ELECTION_LEASE_NAMESPACE?: string;

  // Build identity (set by the image build)
  @IsString() JANGAR_VERSION = '0.1.0';
  @IsString() JANGAR_COMMIT = 'unknown';
  @IsString() JANGAR_BUILD_TIME = 'unknown';

  @IsIn(['debug', 'info', 'warn', 'error']) JANGAR_LOG_LEVEL = 'info';
  @IsOptional() @IsString() KUBECONFIG?: string;
  @IsOptional() @IsString() KUBERNETES_SERVICE_HOST?: string;
  @IsOptional() @IsString() KUBERNETES_SERVICE_PORT?: string;
}

export interface ControlPlaneConfig {
  readonly httpPort: number;
  readonly metrics: { enabled: boolean; path: string };
  readonly podNamespace: string;
  readonly identity: string;
  readonly namespaces: readonly string[] | '*';
  readonly database: { url: string; caFile: string | undefined; migrations: 'auto' | 'skip'; poolMax: number };
  readonly grpc: { enabled: boolean; host: string; port: number; token: string | undefined };
  readonly nats: {
    url: string | undefined;
    user: string | undefined;
    password: string | undefined;
    ingest: boolean;
    consumer: string;
    /** Subjects the consumer takes (empty: the whole stream). */
    subjects: readonly string[];
    batchSize: number;
  };
  /** Origins browsers may call the HTTP API from (SSE, health); empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  readonly auditSink: AuditSinkConfig;
  readonly sse: {
    heartbeatMs: number;
    maxBufferBytes: number;
    stallMs: number;
    windowEvents: number;
    windowBytes: number;
  };
  readonly kubeApi: { qps: number; burst: number };
  readonly controllersLease: { name: string; namespace: string };
  readonly build: { version: string; commit: string; time: string };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly kubeconfig: KubeconfigEnv;
}

export function toControlPlaneConfig(e: ControlPlaneEnv): ControlPlaneConfig {
  const podNamespace = e.JANGAR_POD_NAMESPACE ?? 'default';
  const ns = e.JANGAR_AGENTS_CONTROLLER_NAMESPACES ?? podNamespace;
  return {
    httpPort: e.JANGAR_PORT,
    podNamespace,
    identity: `${e.JANGAR_POD_NAME ?? 'control-plane'}_${process.pid}`,
    namespaces: ns === '*' ? '*' : ns.split(','),
    database: {
      url: e.DATABASE_URL,
      caFile: e.PGSSLROOTCERT,
      migrations: e.JANGAR_MIGRATIONS as 'auto' | 'skip',
      poolMax: e.JANGAR_DB_POOL_MAX,
    },
    grpc: {
      enabled: parseBoolean(e.JANGAR_GRPC_ENABLED) ?? true,
      host: e.JANGAR_GRPC_HOST,
      port: e.JANGAR_GRPC_PORT,
      token: e.JANGAR_GRPC_TOKEN || undefined,
    },
    nats: {
      url: e.NATS_URL,
      user: e.NATS_USER,
      password: e.NATS_PASSWORD,
      ingest: !!e.NATS_URL && !(parseBoolean(e.JANGAR_AGENT_COMMS_SUBSCRIBER_DISABLED) ?? false),
      consumer: e.JANGAR_AGENT_COMMS_CONSUMER,
      subjects: parseList(e.JANGAR_AGENT_COMMS_SUBJECTS) ?? [],
      batchSize: e.JANGAR_AGENT_COMMS_BATCH_SIZE,
    },
    corsOrigins: parseList(e.JANGAR_CORS_ALLOWED_ORIGINS) ?? [],
    auditSink: toAuditSink(e),
    sse: {
      heartbeatMs: e.JANGAR_SSE_HEARTBEAT_SECONDS * 1000,
      maxBufferBytes: e.JANGAR_SSE_MAX_BUFFER_BYTES,
      stallMs: e.JANGAR_SSE_STALL_SECONDS * 1000,
      windowEvents: e.JANGAR_SSE_WINDOW_EVENTS,
      windowBytes: e.JANGAR_SSE_WINDOW_BYTES,
    },
    kubeApi: { qps: e.JANGAR_KUBE_API_QPS, burst: e.JANGAR_KUBE_API_BURST },
    controllersLease: {
      name: e.JANGAR_LEADER_ELECTION_LEASE_NAME,
      namespace: e.JANGAR_LEADER_ELECTION_LEASE_NAMESPACE ?? podNamespace,
    },
    build: { version: e.JANGAR_VERSION, commit: e.JANGAR_COMMIT, time: e.JANGAR_BUILD_TIME },
    metrics: {
      enabled: parseBoolean(e.JANGAR_PROMETHEUS_METRICS_ENABLED) ?? true,
      path: e.JANGAR_PROMETHEUS_METRICS_PATH,
    },
    logLevel: e.JANGAR_LOG_LEVEL as ControlPlaneConfig['logLevel'],
    kubeconfig: {
      KUBECONFIG: e.KUBECONFIG,
      KUBERNETES_SERVICE_HOST: e.KUBERNETES_SERVICE_HOST,
      KUBERNETES_SERVICE_PORT: e.KUBERNETES_SERVICE_PORT,
    },
  };
}

function toAuditSink(e: ControlPlaneEnv): AuditSinkConfig {
  if (e.JANGAR_AUDIT_SINK_TYPE === 'stdout') return { type: 'stdout' };
  if (e.JANGAR_AUDIT_SINK_TYPE !== 'http') return { type: 'none' };
  const headers = Object.fromEntries(
    Object.entries(headerObject(e.JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON) ?? {}).map(([k, v]) => [k, String(v)]),
  );
  return { type: 'http', url: e.JANGAR_AUDIT_SINK_HTTP_URL!, headers, timeoutMs: e.JANGAR_AUDIT_SINK_HTTP_TIMEOUT_MS };
}

/** The only place the control plane reads process.env. */
export function loadControlPlaneConfig(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  return toControlPlaneConfig(loadEnvConfig('control-plane', ControlPlaneEnv, env));
}

export const CONTROL_PLANE_CONFIG = Symbol('ControlPlaneConfig');
