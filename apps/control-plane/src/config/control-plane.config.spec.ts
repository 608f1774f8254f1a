import { loadControlPlaneConfig } from './control-plane.config.js';

describe('control-plane config', () => {
  it('requires DATABASE_URL and says what it expects, without printing secrets', () => {
    expect(() => loadControlPlaneConfig({})).toThrow(/DATABASE_URL=<unset>: DATABASE_URL must be a postgres:\/\//);
    expect(() => loadControlPlaneConfig({ DATABASE_URL: 'mysql://user:pw@db/x' })).toThrow(/DATABASE_URL="<redacted>"/);
  });

  it('reads a complete environment with defaults', () => {
    const c = loadControlPlaneConfig({
      DATABASE_URL: 'postgres://127.0.0.1/agents',
      JANGAR_MIGRATIONS: 'skip',
      JANGAR_POD_NAMESPACE: 'agents',
    });
    expect(c.database).toEqual({
      url: 'postgres://127.0.0.1/agents',
      caFile: undefined,
      migrations: 'skip',
      poolMax: 10,
    });
    expect(c.grpc).toEqual({ enabled: true, host: '127.0.0.1', port: 50051, token: undefined });
    expect(c.namespaces).toEqual(['agents']);
    expect(c.nats.ingest).toBe(false);
    expect(c.sse).toEqual({
      heartbeatMs: 15_000,
      maxBufferBytes: 1024 * 1024,
      stallMs: 15_000,
      windowEvents: 20_000,
      windowBytes: 4 * 1024 * 1024,
    });
  });

  it('ingests from NATS when a URL is set, unless the subscriber is disabled', () => {
    const base = { DATABASE_URL: 'postgres://h/db', NATS_URL: 'nats://127.0.0.1:4222' };
    expect(loadControlPlaneConfig(base).nats.ingest).toBe(true);
    expect(loadControlPlaneConfig({ ...base, JANGAR_AGENT_COMMS_SUBSCRIBER_DISABLED: 'true' }).nats.ingest).toBe(false);
  });

  it('reads the consumer, its subjects and the CORS origins the chart renders', () => {
    const c = loadControlPlaneConfig({
      DATABASE_URL: 'postgres://h/db',
      JANGAR_AGENT_COMMS_CONSUMER: 'team-a-agent-comms',
      JANGAR_AGENT_COMMS_SUBJECTS: 'workflow.team-a.>, agents.workflow.*.general.>',
      JANGAR_CORS_ALLOWED_ORIGINS: 'https://ui.example.com,http://localhost:5173',
    });
    expect(c.nats).toMatchObject({
      consumer: 'team-a-agent-comms',
      subjects: ['workflow.team-a.>', 'agents.workflow.*.general.>'],
    });
    expect(c.corsOrigins).toEqual(['https://ui.example.com', 'http://localhost:5173']);
    expect(loadControlPlaneConfig({ DATABASE_URL: 'postgres://h/db' })).toMatchObject({
      nats: { consumer: 'agents-agent-comms', subjects: [] },
      corsOrigins: [],
    });
  });

  it.each([
    [
      'a subject outside the stream',
      'JANGAR_AGENT_COMMS_SUBJECTS',
      'agentrun.>',
      /under workflow\. or agents\.workflow\./,
    ],
    ['a subject with a space', 'JANGAR_AGENT_COMMS_SUBJECTS', 'workflow.a b.>', /comma-separated NATS subjects/],
    ['a durable name with a dot', 'JANGAR_AGENT_COMMS_CONSUMER', 'a.b', /must be a durable name/],
    ['an origin with a path', 'JANGAR_CORS_ALLOWED_ORIGINS', 'https://ui.example.com/app', /comma-separated origins/],
    [
      'an SSE window under 64 KiB',
      'JANGAR_SSE_WINDOW_BYTES',
      '4096',
      /JANGAR_SSE_WINDOW_BYTES="4096".*less than 65536/,
    ],
  ])('refuses %s', (_case, name, value, message) => {
    expect(() => loadControlPlaneConfig({ DATABASE_URL: 'postgres://h/db', [name]: value })).toThrow(message);
  });

  it('reads the audit sink, and wants a URL for the http one without printing its headers', () => {
    const base = { DATABASE_URL: 'postgres://h/db' };
    expect(loadControlPlaneConfig(base).auditSink).toEqual({ type: 'none' });
    expect(loadControlPlaneConfig({ ...base, JANGAR_AUDIT_SINK_TYPE: 'stdout' }).auditSink).toEqual({ type: 'stdout' });
    expect(
      loadControlPlaneConfig({
        ...base,
        JANGAR_AUDIT_SINK_TYPE: 'http',
        JANGAR_AUDIT_SINK_HTTP_URL: 'http://audit.internal:8080/events',
        JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON: '{"Authorization":"Bearer s3cret","X-Retries":3}',
      }).auditSink,
    ).toEqual({
      type: 'http',
      url: 'http://audit.internal:8080/events',
      headers: { Authorization: 'Bearer s3cret', 'X-Retries': '3' },
      timeoutMs: 2000,
    });
    const bad = () =>
      loadControlPlaneConfig({
        ...base,
        JANGAR_AUDIT_SINK_TYPE: 'http',
        JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON: '["Bearer s3cret"]',
      });
    expect(bad).toThrow(/JANGAR_AUDIT_SINK_HTTP_URL=<unset>: JANGAR_AUDIT_SINK_HTTP_URL must be an http\(s\) URL/);
    expect(bad).toThrow(/JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON="<redacted>"/);
    expect(bad).not.toThrow(/s3cret/);
    const withCredentials = () =>
      loadControlPlaneConfig({
        ...base,
        JANGAR_AUDIT_SINK_TYPE: 'http',
        JANGAR_AUDIT_SINK_HTTP_URL: 'https://audit:pa55@audit.internal/events',
      });
    expect(withCredentials).toThrow(/JANGAR_AUDIT_SINK_HTTP_URL="<redacted>": .*without credentials/);
    expect(withCredentials).not.toThrow(/pa55/);
    const badHeader = () =>
      loadControlPlaneConfig({
        ...base,
        JANGAR_AUDIT_SINK_TYPE: 'http',
        JANGAR_AUDIT_SINK_HTTP_URL: 'https://audit.internal/events',
        JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON: JSON.stringify({ Authorization: 'Bearer se\ncret' }),
      });
    expect(badHeader).toThrow(/header "Authorization" must be a valid HTTP header/);
    expect(badHeader).not.toThrow(/cret/);
    expect(
      loadControlPlaneConfig({
        ...base,
        JANGAR_AUDIT_SINK_TYPE: 'http',
        JANGAR_AUDIT_SINK_HTTP_URL: 'https://audit.internal/events',
        JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON: '',
      }).auditSink,
    ).toMatchObject({ headers: {} });
    expect(() => loadControlPlaneConfig({ ...base, JANGAR_AUDIT_SINK_TYPE: 'kafka' })).toThrow(
      /JANGAR_AUDIT_SINK_TYPE="kafka": JANGAR_AUDIT_SINK_TYPE must be one of none, stdout, http/,
    );
  });

  it('lists every bad variable at once', () => {
    expect(() =>
      loadControlPlaneConfig({
        DATABASE_URL: 'postgres://h/db',
        JANGAR_GRPC_PORT: '0',
        NATS_URL: 'http://x',
        JANGAR_GRPC_ENABLED: 'maybe',
      }),
    ).toThrow(/\(3 variables\)[\s\S]*JANGAR_GRPC_ENABLED[\s\S]*JANGAR_GRPC_PORT[\s\S]*NATS_URL/);
  });
});
