// The built agentctl (a child process) against the fake control plane: versions, status, settings, auth, errors.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeControlPlane, runAgentctl } from './support/index.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('agentctl: connection, settings and errors', () => {
  let fake: FakeControlPlane;
  let dir: string;

  beforeAll(async () => {
    fake = await FakeControlPlane.start();
    dir = await mkdtemp(path.join(tmpdir(), 'agentctl-conn-'));
  });
  afterAll(() => fake.close());

  it('prints the client version without calling the server', async () => {
    const res = await runAgentctl(['version', '--client'], { server: '127.0.0.1:1' });
    expect(res).toEqual({ code: 0, stdout: 'agentctl 0.1.0\n', stderr: '' });
    expect((await runAgentctl(['--version'])).stdout).toBe('agentctl 0.1.0\n');
  });

  it('prints the client and server versions', async () => {
    const res = await runAgentctl(['version'], { server: fake.address });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      'Client: agentctl 0.1.0\n' +
        `Server: agents-control-plane 1.2.3 (build abc1234, 2025-01-02T03:04:05Z) at ${fake.address}\n`,
    );
    const json = await runAgentctl(['version', '-o', 'json'], { server: fake.address });
    expect(JSON.parse(json.stdout)).toEqual({
      clientVersion: '0.1.0',
      server: {
        version: '1.2.3',
        buildSha: 'abc1234',
        buildTime: '2025-01-02T03:04:05Z',
        service: 'agents-control-plane',
      },
    });
  });

  it('renders the control plane status readably, and as JSON', async () => {
    const res = await runAgentctl(['status', '-n', 'team-a'], { server: fake.address });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Control plane:  agents-control-plane at ${fake.address}`);
    expect(res.stdout).toContain('Database:       healthy (configured: yes, connected: yes, latency 3 ms)');
    expect(res.stdout).toMatch(
      /schedule\s+degraded\s+yes\s+no\s+no \(missing schedules\.schedules\.proompteng\.ai\)\s+CRD missing/,
    );
    expect(res.stdout).toMatch(/team-a\s+degraded\s+schedule/);
    expect(fake.callsTo('getControlPlaneStatus').at(-1)?.request).toEqual({ namespace: 'team-a' });
    const yaml = await runAgentctl(['status', '-o', 'yaml'], { server: fake.address });
    expect(yaml.stdout).toContain('service: agents-control-plane');
  });

  it('explains an unreachable server and exits 3', async () => {
    const port = await closedPort();
    const res = await runAgentctl(['get', 'agents'], { server: `127.0.0.1:${port}` });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(
      new RegExp(
        `^error: cannot reach the control plane at 127\\.0\\.0\\.1:${port}: .*set --server or AGENTCTL_SERVER`,
      ),
    );
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const stream = await runAgentctl(['run', 'logs', 'r', '--follow'], { server: `127.0.0.1:${port}` });
    expect(stream.code).toBe(3);
    expect(stream.stderr).toContain(`cannot reach the control plane at 127.0.0.1:${port}`);
  });

  it('prints the client version and then the connection error for version', async () => {
    const port = await closedPort();
    const res = await runAgentctl(['version'], { server: `127.0.0.1:${port}` });
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('Client: agentctl 0.1.0\n');
    expect(res.stderr).toContain('cannot reach the control plane');
  });

  describe('bearer token', () => {
    let secured: FakeControlPlane;
    beforeAll(async () => {
      secured = await FakeControlPlane.start({ token: 's3cret' });
    });
    afterAll(() => secured.close());

    it('is refused without a token, naming the fix', async () => {
      const res = await runAgentctl(['get', 'agents'], { server: secured.address });
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(
        `error: the control plane at ${secured.address} refused the credentials: missing or invalid bearer token ` +
          '(metadata authorization). Set --token or AGENTCTL_TOKEN (agentctl config set --token …)\n',
      );
    });

    it('is sent from --token, AGENTCTL_TOKEN and the config file', async () => {
      expect((await runAgentctl(['get', 'agents', '--token', 's3cret'], { server: secured.address })).code).toBe(0);
      expect((await runAgentctl(['get', 'agents'], { server: secured.address, token: 's3cret' })).code).toBe(0);
      const config = path.join(dir, 'token.json');
      await writeFile(config, JSON.stringify({ token: 's3cret' }));
      const res = await runAgentctl(['get', 'agents'], { server: secured.address, env: { AGENTCTL_CONFIG: config } });
      expect(res.code).toBe(0);
      expect(secured.callsTo('listAgents').map((c) => c.authorization)).toEqual([
        undefined,
        'Bearer s3cret',
        'Bearer s3cret',
        'Bearer s3cret',
      ]);
    });

    it('streams carry the token too', async () => {
      const res = await runAgentctl(['run', 'logs', 'nope'], { server: secured.address });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('refused the credentials');
    });
  });

  describe('settings precedence: flag > env > config file > default', () => {
    it('reads the config file, and env and flags override it', async () => {
      const config = path.join(dir, 'precedence.json');
      await writeFile(config, JSON.stringify({ server: fake.address, namespace: 'from-file' }));
      const env = { AGENTCTL_CONFIG: config };
      await runAgentctl(['get', 'agents'], { env });
      await runAgentctl(['get', 'agents'], { env: { ...env, AGENTCTL_NAMESPACE: 'from-env' } });
      await runAgentctl(['get', 'agents', '-n', 'from-flag'], { env: { ...env, AGENTCTL_NAMESPACE: 'from-env' } });
      expect(fake.callsTo('listAgents').map((c) => c.request.namespace)).toEqual([
        'from-file',
        'from-env',
        'from-flag',
      ]);
    });

    it('finds the config file under XDG_CONFIG_HOME', async () => {
      const xdg = await mkdtemp(path.join(tmpdir(), 'agentctl-xdg-'));
      const set = await runAgentctl(['config', 'set', '--server', fake.address, '-n', 'xdg-ns'], {
        env: { AGENTCTL_CONFIG: undefined, XDG_CONFIG_HOME: xdg },
      });
      expect(set).toMatchObject({ code: 0, stderr: '' });
      const file = path.join(xdg, 'agentctl', 'config.json');
      expect(set.stdout).toBe(`set server, set namespace in ${file}\n`);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ server: fake.address, namespace: 'xdg-ns' });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const view = await runAgentctl(['config', 'view', '-o', 'json'], {
        env: { AGENTCTL_CONFIG: undefined, XDG_CONFIG_HOME: xdg },
      });
      expect(JSON.parse(view.stdout)).toMatchObject({
        configFile: file,
        configFileExists: true,
        server: fake.address,
        namespace: 'xdg-ns',
        token: null,
      });
    });

    it('config view hides the token unless --show-secrets, and says where each value comes from', async () => {
      const config = path.join(dir, 'view.json');
      await writeFile(config, JSON.stringify({ server: 'cp.example:7000', token: 'abc' }));
      const env = { AGENTCTL_CONFIG: config, AGENTCTL_NAMESPACE: 'team-b' };
      const view = await runAgentctl(['config', 'view'], { env });
      expect(view.code).toBe(0);
      expect(view.stdout).toBe(
        [
          `Config file:  ${config}`,
          'Server:       cp.example:7000  (from the config file)',
          'Namespace:    team-b  (from AGENTCTL_NAMESPACE)',
          'Token:        <hidden>  (from the config file)',
          '',
        ].join('\n'),
      );
      const secret = await runAgentctl(['config', 'view', '--show-secrets', '-o', 'yaml'], { env });
      expect(secret.stdout).toContain('token: abc');
      const flagged = await runAgentctl(['config', 'view', '-o', 'json', '--server', 'other:1'], { env });
      expect(JSON.parse(flagged.stdout)).toMatchObject({ server: 'other:1', sources: { server: '--server' } });
    });

    it('config set updates keys, keeps the others and removes one given empty', async () => {
      const config = path.join(dir, 'set.json');
      await writeFile(config, JSON.stringify({ server: 'a:1', namespace: 'n1', extra: true }));
      const env = { AGENTCTL_CONFIG: config };
      const res = await runAgentctl(['config', 'set', '--token', 't0k', '--namespace', ''], { env });
      expect(res.stdout).toBe(`removed namespace, set token in ${config}\n`);
      expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({ server: 'a:1', extra: true, token: 't0k' });
      const none = await runAgentctl(['config', 'set'], { env });
      expect(none.code).toBe(2);
      expect(none.stderr).toBe('error: config set: nothing to set; pass --server, -n/--namespace or --token\n');
    });

    it('defaults to the in-cluster address and the agents namespace', async () => {
      const view = await runAgentctl(['config', 'view', '-o', 'json']);
      expect(JSON.parse(view.stdout)).toMatchObject({
        server: 'agents-grpc.agents.svc.cluster.local:50051',
        namespace: 'agents',
        sources: { server: 'default', namespace: 'default', token: null },
      });
    });
  });

  describe('bad values name the flag and what is expected (exit 2)', () => {
    it.each([
      [
        ['get', 'agents', '-o', 'xml'],
        "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, json, yaml.",
      ],
      [
        ['get', 'agents', '--timeout', 'soon'],
        "error: option '--timeout <duration>' argument 'soon' is invalid. expected a duration such as 30s, 500ms, 2m or 1h",
      ],
      [
        ['get', 'agents', '-n', 'Team_A'],
        "error: invalid value 'Team_A' for -n/--namespace: expected a Kubernetes namespace name",
      ],
      [
        ['get', 'agents', '--server', 'https://cp:443'],
        "error: invalid value 'https://cp:443' for --server: agentctl speaks plaintext gRPC",
      ],
      [
        ['get', 'agents', '--server', 'cp:99999'],
        "error: invalid value 'cp:99999' for --server: the port must be between 1 and 65535",
      ],
      [
        ['get', 'frobs'],
        "error: unknown resource type 'frobs'; known resources: agent (agents), agentrun (agentruns, run, runs)",
      ],
      [
        ['get', 'agents', '-l', 'a b c'],
        "error: option '-l, --selector <selector>' argument 'a b c' is invalid. expected a label selector",
      ],
      [['get', 'agents', '--phase', 'Running'], 'error: --phase applies only to agentruns, not agents'],
      [['frobnicate'], "error: unknown command 'frobnicate'"],
      [['describe', 'agent'], "error: missing required argument 'name'"],
    ])('%j', async (args, message) => {
      const res = await runAgentctl(args, { server: fake.address });
      expect(res.code).toBe(2);
      expect(res.stderr.startsWith(message)).toBe(true);
      expect(res.stdout).toBe('');
    });

    it('names the environment variable holding a bad value', async () => {
      const res = await runAgentctl(['get', 'agents'], { env: { AGENTCTL_SERVER: 'http://cp:abc' } });
      expect(res).toMatchObject({ code: 2, stdout: '' });
      expect(res.stderr).toMatch(/^error: invalid value 'http:\/\/cp:abc' for AGENTCTL_SERVER: expected host:port/);
    });

    it('names a broken config file', async () => {
      const config = path.join(dir, 'broken.json');
      await writeFile(config, '{ "server": ');
      const res = await runAgentctl(['get', 'agents'], { env: { AGENTCTL_CONFIG: config } });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(new RegExp(`^error: the config file ${config} is not valid JSON`));
    });
  });

  it('honours --timeout as the deadline of each request', async () => {
    // A listener that accepts connections but never speaks HTTP/2: the call can only end at its deadline.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    try {
      const server = `127.0.0.1:${port}`;
      const res = await runAgentctl(['get', 'agents', '--timeout', '300ms'], { server });
      expect(res).toEqual({
        code: 3,
        stdout: '',
        stderr: `error: the control plane at ${server} did not answer within 300ms; raise --timeout or check the server\n`,
      });
      // Streams have no deadline, but connecting to the server does.
      const wait = await runAgentctl(['run', 'wait', 'r', '--timeout', '300ms'], { server });
      expect(wait).toMatchObject({ code: 3, stderr: expect.stringContaining('did not answer within 300ms') });
    } finally {
      silent.close();
    }
  });
});
