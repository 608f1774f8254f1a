import { CliError, EXIT } from '../cli.errors.js';
import type { AgentctlEnvironment } from './agentctl.config.js';
import type { ConfigFile } from './config-file.js';
import {
  formatDuration,
  normalizeNamespace,
  normalizeServer,
  parseDuration,
  resolveSettings,
  type GlobalFlags,
} from './settings.js';

const env = (e: Partial<AgentctlEnvironment> = {}): AgentctlEnvironment => ({
  configPath: '/c.json',
  debug: false,
  ...e,
});

describe('resolveSettings: flag > env > file > default', () => {
  const cases: Record<
    string,
    {
      flags?: GlobalFlags;
      env?: Partial<AgentctlEnvironment>;
      file?: ConfigFile;
      wantServer: string;
      wantOrigin: string;
    }
  > = {
    'the default when nothing is set': {
      wantServer: 'agents-grpc.agents.svc.cluster.local:50051',
      wantOrigin: 'default',
    },
    'the config file over the default': {
      file: { server: 'file:1' },
      wantServer: 'file:1',
      wantOrigin: '"server" in the config file /c.json',
    },
    'the environment over the file': {
      env: { server: { value: 'env:2', variable: 'AGENTCTL_ADDRESS' } },
      file: { server: 'file:1' },
      wantServer: 'env:2',
      wantOrigin: 'AGENTCTL_ADDRESS',
    },
    'a flag over the environment': {
      flags: { server: 'flag:3' },
      env: { server: { value: 'env:2', variable: 'AGENTCTL_SERVER' } },
      wantServer: 'flag:3',
      wantOrigin: '--server',
    },
    '--server over --address': { flags: { server: 's:1', address: 'a:2' }, wantServer: 's:1', wantOrigin: '--server' },
    '--address alone': { flags: { address: 'a:2' }, wantServer: 'a:2', wantOrigin: '--address' },
  };
  describe.each(Object.entries(cases))('%s', (_name, c) => {
    it(`picks ${c.wantServer}`, () => {
      const s = resolveSettings(c.flags ?? {}, env(c.env), c.file ?? {});
      expect(s.server).toMatchObject({ value: c.wantServer, origin: c.wantOrigin });
    });
  });

  it('resolves namespace and token the same way', () => {
    const s = resolveSettings({ namespace: 'flag-ns' }, env({ namespace: 'env-ns', token: 'env-t' }), {
      namespace: 'file-ns',
      token: 'file-t',
    });
    expect(s.namespace).toEqual({ value: 'flag-ns', source: 'flag', origin: '-n/--namespace' });
    expect(s.token).toEqual({ value: 'env-t', source: 'env', origin: 'AGENTCTL_TOKEN' });
    expect(resolveSettings({}, env(), {}).token).toBeUndefined();
    expect(resolveSettings({}, env(), {}).namespace.value).toBe('agents');
  });

  it('defaults to table output and a 30 s deadline', () => {
    expect(resolveSettings({}, env(), {})).toMatchObject({ output: 'table', timeoutMs: 30_000, configPath: '/c.json' });
    expect(resolveSettings({ output: 'yaml', timeout: 500 }, env(), {})).toMatchObject({
      output: 'yaml',
      timeoutMs: 500,
    });
  });

  it('names where a bad value came from', () => {
    expect(() => resolveSettings({}, env({ namespace: 'Bad_NS' }), {})).toThrow(
      "invalid value 'Bad_NS' for AGENTCTL_NAMESPACE: expected a Kubernetes namespace name",
    );
    expect(() => resolveSettings({}, env(), { server: 'https://x' })).toThrow(
      `invalid value 'https://x' for "server" in the config file /c.json`,
    );
    expect(() => resolveSettings({ output: 'xml' }, env(), {})).toThrow(
      "invalid value 'xml' for -o/--output: expected one of table, json, yaml",
    );
  });
});

describe('normalizeServer', () => {
  it.each([
    ['host:1234', 'host:1234'],
    ['host', 'host:50051'],
    ['10.0.0.1', '10.0.0.1:50051'],
    ['http://cp.example:8080/', 'cp.example:8080'],
    ['grpc://cp', 'cp:50051'],
    ['[::1]:9000', '[::1]:9000'],
    ['[::1]', '[::1]:50051'],
    ['dns:///cp.example:443', 'dns:///cp.example:443'],
    ['unix:/run/agents.sock', 'unix:/run/agents.sock'],
  ])('%s → %s', (input, want) => expect(normalizeServer(input, '--server')).toBe(want));

  it.each([
    ['https://cp:443', 'agentctl speaks plaintext gRPC'],
    ['cp:0', 'the port must be between 1 and 65535'],
    ['cp:http', 'expected host:port'],
    ['cp/path', 'expected host:port'],
    ['', 'expected host:port'],
  ])('refuses %j', (input, message) => {
    expect(() => normalizeServer(input, 'AGENTCTL_SERVER')).toThrow(message);
    try {
      normalizeServer(input, 'AGENTCTL_SERVER');
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(EXIT.usage);
      expect((err as CliError).message).toContain(`for AGENTCTL_SERVER:`);
    }
  });
});

describe('normalizeNamespace', () => {
  it.each(['agents', 'team-a', 'a1', 'x'.repeat(63)])('accepts %s', (ns) =>
    expect(normalizeNamespace(ns, '-n')).toBe(ns),
  );
  it.each(['Agents', 'team_a', '-a', 'a-', 'x'.repeat(64), ''])('refuses %j', (ns) =>
    expect(() => normalizeNamespace(ns, '-n')).toThrow(`invalid value '${ns}' for -n`),
  );
});

describe('durations', () => {
  it.each<[string, number | undefined]>([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['10', 10_000],
    ['0s', undefined],
    ['soon', undefined],
    ['-1s', undefined],
  ])('parseDuration(%j) = %j', (text, want) => expect(parseDuration(text)).toBe(want));

  it.each([
    [500, '500ms'],
    [30_000, '30s'],
    [120_000, '2m'],
    [7_200_000, '2h'],
    [1500, '1500ms'],
  ])('formatDuration(%d) = %s', (ms, want) => expect(formatDuration(ms)).toBe(want));
});
