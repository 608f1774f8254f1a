import { generalSubject } from '@agents/nats';
import {
  AgentctlServiceClient,
  type AgentctlServiceClient as Client,
  type ClientReadableStream,
} from '@agents/proto/client';
import {
  TestNamespace,
  createTestDatabase,
  eventually,
  freePort,
  testKubeConfig,
  type TestDatabase,
} from '@agents/testing';
import { Client as GrpcClient, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import pg from 'pg';
import {
  message,
  Publisher,
  SseReader,
  startControlPlane,
  subjectOf,
  type ControlPlaneProcess,
  type RunRef,
} from './harness.js';
import { prng, rpc } from './int-support.js';

// Random, oversized and malformed input on both doors of the control plane: NATS agent messages (run and general
// subjects) and gRPC requests (typed but absurd, and raw bytes). Afterwards the process must be alive and healthy,
// every NATS message must be accounted for (stored or dead-lettered, none stuck), and normal traffic must flow.
// FUZZ_SEED=<n> replays a run.
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const SERVICE = '/proompteng.agents.v1.AgentctlService';

let db: TestDatabase;
let natsServer: { url: string; child: ChildProcess };
let ns: TestNamespace;
let cp: ControlPlaneProcess;
let client: Client;
let publisher: Publisher;

/** A nats-server with JetStream whose max_payload (4 MiB) lets 2 MiB messages through, as production may allow. */
async function startNats(): Promise<{ url: string; child: ChildProcess }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cp-fuzz-nats-'));
  const port = await freePort();
  const conf = path.join(dir, 'nats.conf');
  writeFileSync(conf, `listen: 127.0.0.1:${port}\nmax_payload: 4MB\njetstream { store_dir: "${dir}/js" }\n`);
  const child = spawn('/usr/sbin/nats-server', ['-c', conf], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  await eventually(async () => (await connect({ servers: url, timeout: 500 })).close(), { what: 'nats-server' });
  return { url, child };
}

async function query<T>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

// ---- random values ----------------------------------------------------------------------------------------------

const CHARS = [
  'a',
  'Z',
  '0',
  '-',
  '.',
  '/',
  ' ',
  '"',
  '\\',
  '\n',
  '\u0000',
  'é',
  '日',
  '😀',
  '\ud800',
  '{',
  '}',
  '*',
  '>',
];
const text = (n: number) => Array.from({ length: n }, () => pick(CHARS)).join('');
const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));

function jsonValue(depth = 0): unknown {
  switch (int(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308]);
    case 3:
      return text(int(40));
    case 4:
      return '';
    case 5:
      return Array.from({ length: int(4) }, () => jsonValue(depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(4) }, () => [text(int(8)), jsonValue(depth + 1)]));
  }
}

/** `{"a":{"a":…}}` `depth` levels deep, as text (JSON.stringify would overflow the stack building it). */
const deepObject = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const FIELDS = [
  'message_id',
  'timestamp',
  'kind',
  'role',
  'content',
  'text',
  'agent_run_uid',
  'agent_run_name',
  'seq',
  'attrs',
  'attributes',
  'meta',
  'tool',
  'exit_code',
  'step_id',
  'channel',
  'stage',
  'message',
  'data',
];

const PAYLOAD_KINDS = 12;
/** The 2 MiB kinds: sent once each (every run covers them), then left out (they are slow to store). */
const OVERSIZED = [8, 9];

/**
 * One malformed (or, sometimes, valid) NATS payload: the first PAYLOAD_KINDS calls cover every kind once, later
 * ones pick at random. `i` makes ids unique so no two payloads share a dedupe key.
 */
function natsPayload(i: number, run: RunRef): { what: string; data: Uint8Array } {
  const enc = (s: string) => new TextEncoder().encode(s);
  const valid = () => ({ ...message(run, 10_000 + i), message_id: `fuzz-${SEED}-${i}` });
  let which = i;
  while (which >= PAYLOAD_KINDS || (i >= PAYLOAD_KINDS && OVERSIZED.includes(which))) which = int(PAYLOAD_KINDS);
  switch (which) {
    case 0:
      return { what: 'random bytes', data: bytes(int(2048)) };
    case 1: {
      const head = enc(`{"message_id":"fuzz-${SEED}-${i}","content":"`);
      return { what: 'invalid UTF-8 in a string', data: Uint8Array.from([...head, 0xc3, 0x28, 0xff, 0x22, 0x7d]) };
    }
    case 2:
      return { what: 'text that is not JSON', data: enc(text(1 + int(200))) };
    case 3:
      return { what: 'JSON that is not an object', data: enc(JSON.stringify(pick([[1, 2], 'str', 42, null, true]))) };
    case 4: {
      const depth = pick([1_000, 10_000, 100_000]);
      const where = pick(['content', 'attrs', 'message', 'root', 'array']);
      const inner = where === 'array' ? deepArray(depth) : deepObject(depth);
      const body =
        where === 'root'
          ? inner
          : `{"message_id":"fuzz-${SEED}-${i}","content":"deep","${where === 'array' ? 'attrs' : where}":${inner}}`;
      return { what: `nested ${depth} deep in ${where}`, data: enc(body) };
    }
    case 5:
    case 6: {
      const m: Record<string, unknown> = valid();
      for (let k = 0; k < 1 + int(4); k++) m[pick(FIELDS)] = jsonValue();
      m.message_id = `fuzz-${SEED}-${i}`;
      return { what: 'fields of random types', data: enc(JSON.stringify(m)) };
    }
    case 7: {
      const m: Record<string, unknown> = valid();
      const field = pick(['content', 'kind', 'role', 'agent_id', 'channel', 'attrs', 'stage', 'step_id']);
      m[field] =
        field === 'attrs'
          ? { [text(3)]: `x${pick(['\u0000', '\ud800', '\udfff'])}y` }
          : `x${pick(['\u0000', '\ud800'])}y`;
      return { what: `NUL or a lone surrogate in ${field}`, data: enc(JSON.stringify(m)) };
    }
    case 8:
      return {
        what: 'a 2 MiB content',
        data: enc(JSON.stringify({ ...valid(), content: 'y'.repeat(2 * 1024 * 1024) })),
      };
    case 9:
      return { what: '2 MiB of random bytes', data: bytes(2 * 1024 * 1024) };
    case 10:
      return { what: 'an empty payload', data: new Uint8Array() };
    default:
      return { what: 'a valid message', data: enc(JSON.stringify(valid())) };
  }
}

// ---- raw protobuf -----------------------------------------------------------------------------------------------

const varint = (n: number) => {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 127) {
    out.push((v & 127) | 128);
    v >>>= 7;
  }
  out.push(v);
  return out;
};

/** Fields with random numbers and wire types: declared fields of the wrong type, unknown fields, truncations. */
function protobufGarbage(): Buffer {
  const out: number[] = [];
  for (let f = 0; f < 1 + int(6); f++) {
    const field = 1 + int(15);
    const wire = pick([0, 1, 2, 5, 3, 7]);
    out.push(...varint((field << 3) | wire));
    if (wire === 0) out.push(...varint(int(2 ** 31)));
    else if (wire === 1) out.push(...bytes(8));
    else if (wire === 5) out.push(...bytes(4));
    else if (wire === 2) {
      const body = random() < 0.5 ? [...new TextEncoder().encode(text(int(50)))] : [...bytes(int(50))];
      out.push(...varint(random() < 0.9 ? body.length : body.length + 100), ...body);
    }
  }
  return Buffer.from(out);
}

const METHODS = Object.values(AgentctlServiceClient.service).map((m) => ({
  path: m.path,
  stream: m.responseStream,
  name: m.path.split('/').pop()!,
}));

interface Outcome {
  code: number;
  details: string;
}

/** Sends `body` as the request of `methodPath` with a pass-through serializer (any bytes go on the wire). */
function rawCall(raw: GrpcClient, methodPath: string, body: Buffer, stream: boolean): Promise<Outcome> {
  const ident = (b: Buffer) => b;
  const deadline = { deadline: Date.now() + 10_000 };
  return new Promise((resolve) => {
    if (!stream) {
      raw.makeUnaryRequest(methodPath, ident, ident, body, new Metadata(), deadline, (err) =>
        resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: '' }),
      );
      return;
    }
    const call = raw.makeServerStreamRequest(methodPath, ident, ident, body, new Metadata(), deadline);
    call.on('data', () => undefined);
    call.on('error', (err: ServiceError) => resolve({ code: err.code, details: err.details }));
    call.on('end', () => resolve({ code: status.OK, details: '' }));
  });
}

/** An absurd but well-typed request for `name`: huge or odd strings, unknown kinds, missing fields. */
function typedRequest(name: string): Record<string, unknown> {
  const str = () =>
    pick([
      '',
      ns.name,
      text(1 + int(30)),
      'x'.repeat(pick([64, 254, 70_000, 1024 * 1024])),
      '../../etc/passwd',
      'kube-system',
      'default',
      'UPPER',
      'a'.repeat(63),
      'a.b',
      '%00',
    ]);
  const yaml = () =>
    pick([
      str(),
      `apiVersion: agents.proompteng.ai/v1alpha1\nkind: ${pick(['Foo', 'Agent', 'AgentRun', '', '[]'])}\nmetadata:\n  name: ${pick(['fz', 'FZ', '""', '{}', '[1]'])}\nspec: ${pick(['{}', '[]', '1', 'null', '{providerRef: {name: 1}}'])}`,
      JSON.stringify({ apiVersion: 'foo/v1', kind: 'Foo', metadata: { name: 'x' } }),
      deepArray(int(50_000)),
      `&a [*a]`,
      `a: &x 1\nb: *y`,
      `${'- '.repeat(5000)}x`,
      '\u0000\u0001',
      `kind: Agent\n${'k: v\n'.repeat(20_000)}`,
    ]);
  const kv = () => Array.from({ length: int(3) }, () => ({ key: str().slice(0, 100), value: str().slice(0, 100) }));
  const base = { namespace: str(), name: str(), labelSelector: pick(['', '!!!', 'a=b', 'a in (b', '=', str()]) };
  if (name.startsWith('Apply')) return { ...base, manifestYaml: yaml(), dryRun: random() < 0.5 };
  if (name === 'ListAgentRuns') return { ...base, phase: str(), runtime: str() };
  if (name === 'CreateImplementationSpec')
    return {
      ...base,
      text: str(),
      summary: str(),
      source: random() < 0.5 ? undefined : { provider: str(), externalId: str(), url: str() },
    };
  if (name === 'SubmitAgentRun')
    return {
      ...base,
      agentName: str(),
      implementationName: str(),
      runtimeType: pick(['job', 'workflow', '', str()]),
      runtimeConfig: kv(),
      parameters: kv(),
      idempotencyKey: str(),
      workload: random() < 0.5 ? undefined : { image: str(), cpu: str(), memory: str() },
      memoryRef: str(),
      vcsRef: str(),
      vcsPolicyMode: str(),
      vcsPolicyRequired: random() < 0.5,
    };
  if (name === 'StreamAgentRunLogs') return { ...base, follow: random() < 0.5, afterId: pick([0, -1, 2 ** 53]) };
  return base;
}

/** Codes a well-typed request may get: every answer the service gives on purpose. */
const EXPECTED_CODES = [
  status.OK,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.PERMISSION_DENIED,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.ABORTED,
];

async function typedCall(name: string, req: Record<string, unknown>, stream: boolean): Promise<Outcome> {
  const method = name.charAt(0).toLowerCase() + name.slice(1);
  if (!stream) {
    return rpc(client, method, req, undefined, 20_000).then(
      () => ({ code: status.OK, details: '' }),
      (err: ServiceError) => ({ code: err.code, details: err.details }),
    );
  }
  const open = (client as unknown as Record<string, (r: unknown) => ClientReadableStream<unknown>>)[method]!;
  const call = open.call(client, req);
  return new Promise((resolve) => {
    const timer = setTimeout(() => call.cancel(), 10_000);
    call.on('data', () => undefined);
    call.on('error', (err: ServiceError) => {
      clearTimeout(timer);
      resolve({ code: err.code, details: err.details });
    });
    call.on('end', () => {
      clearTimeout(timer);
      resolve({ code: status.OK, details: '' });
    });
  });
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function assertHealthy(): Promise<void> {
  expect(cp.child.exitCode).toBeNull();
  expect((await fetch(`${cp.url}/health`)).status).toBe(200);
  await eventually(async () => expect((await fetch(`${cp.url}/ready`)).status).toBe(200), { what: '/ready 200' });
  const info = await rpc<{ service: string }>(client, 'getServerInfo', {});
  expect(info.service).toBe('agents-control-plane');
}

/** A normal message published now reaches an SSE subscriber of its run. */
async function assertEventsFlow(tag: string): Promise<void> {
  const run: RunRef = { namespace: ns.name, name: 'after-fuzz', uid: `fuzz-${SEED}-${tag}` };
  const sse = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${run.uid}`);
  try {
    await publisher.publish(subjectOf(run), message(run, 1, { content: `still flowing ${tag}` }));
    const [event] = await sse.next(1, 30_000);
    expect(JSON.parse(event!.data)).toMatchObject({ content: `still flowing ${tag}`, agentRunUid: run.uid });
  } finally {
    sse.close();
  }
}

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  db = await createTestDatabase('cp_fuzz');
  natsServer = await startNats();
  ns = await TestNamespace.create(testKubeConfig(), 'cp-fuzz');
  cp = await startControlPlane({ databaseUrl: db.url, natsUrl: natsServer.url, namespaces: [ns.name] });
  client = cp.client();
  publisher = await Publisher.connect(natsServer.url);
}, 90_000);

afterAll(async () => {
  client?.close();
  await publisher?.close().catch(() => undefined);
  if (cp) console.log(`fuzz seed ${SEED}; control plane log tail:\n${cp.logs().slice(-3000)}`);
  await cp?.kill();
  natsServer?.child.kill();
  await ns?.delete();
  await db?.drop();
});

it('survives malformed NATS payloads on run and general subjects, storing or dead-lettering every one', async () => {
  const run: RunRef = { namespace: ns.name, name: 'fuzzed', uid: `fuzz-uid-${SEED}` };
  const sent: { subject: string; what: string }[] = [];
  for (let i = 0; i < 300; i++) {
    const subject = pick([
      subjectOf(run),
      subjectOf(run, 'status'),
      subjectOf(run, text(3).replace(/[^a-z0-9]/gi, '') || 'x'),
      generalSubject(pick(['output', 'status', 'error', 'weird'])),
      'workflow.not.a.known.shape',
      'agents.workflow.general.legacy',
    ]);
    const payload = natsPayload(i, run);
    await publisher.publish(subject, payload.data);
    sent.push({ subject, what: payload.what });
  }
  const whats = new Set(sent.map((s) => s.what.replace(/\d+ deep in \w+/, 'deep')));
  console.log(`published ${sent.length} payloads: ${[...whats].join('; ')}`);

  // Nothing is stuck: every message ends in agent_events or in the dead-letter table.
  await eventually(
    async () => {
      const [stored] = await query<{ n: string }>(
        `select count(*) n from agent_events where subject like 'workflow.%' or subject like 'agents.workflow.%'`,
      );
      const [dead] = await query<{ n: string }>('select count(*) n from ingest_dead_letters');
      expect(Number(stored!.n) + Number(dead!.n)).toBe(sent.length);
    },
    { timeoutMs: 60_000, what: 'every fuzzed message to be stored or dead-lettered' },
  );
  const reasons = await query<{ reason: string }>('select distinct reason from ingest_dead_letters');
  for (const { reason } of reasons) expect(reason).toMatch(/^(payload|message) /);
  const [big] = await query<{ n: string }>(`select max(length(content)) n from agent_events`);
  expect(Number(big!.n)).toBeLessThanOrEqual(256 * 1024 + 20);

  await assertHealthy();
  await assertEventsFlow('nats');
}, 120_000);

it('answers absurd typed requests to every RPC with a deliberate status, never an internal error', async () => {
  const calls = Array.from({ length: 300 }, () => pick(METHODS));
  const outcomes: { method: string; outcome: Outcome }[] = [];
  await inBatches(calls, 8, async (m) => {
    const outcome = await typedCall(m.name, typedRequest(m.name), m.stream);
    outcomes.push({ method: m.name, outcome });
  });
  const unexpected = outcomes.filter((o) => !EXPECTED_CODES.includes(o.outcome.code));
  expect(unexpected.map((o) => `${o.method}: ${status[o.outcome.code]} ${o.outcome.details.slice(0, 200)}`)).toEqual(
    [],
  );
  // Each error message stays readable: bounded, even when the request carried megabytes.
  for (const o of outcomes) expect(o.outcome.details.length).toBeLessThan(8 * 1024);
  await assertHealthy();
}, 120_000);

it('answers raw garbage bytes, wrong wire types, unknown methods and oversized messages without falling over', async () => {
  const raw = new GrpcClient(`127.0.0.1:${cp.grpcPort}`, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  try {
    const cases: { method: string; stream: boolean; body: Buffer }[] = [];
    for (let i = 0; i < 300; i++) {
      const m =
        random() < 0.9
          ? pick(METHODS)
          : { path: `${SERVICE}/${pick(['GetFoo', 'ApplyFoo', 'ListFoos', ''])}`, stream: false, name: 'unknown' };
      const body = pick([protobufGarbage, () => Buffer.from(bytes(int(512))), () => Buffer.alloc(0)])();
      cases.push({ method: m.path, stream: m.stream, body });
    }
    const outcomes: (Outcome & { method: string })[] = [];
    await inBatches(cases, 8, async (c) => {
      outcomes.push({ method: c.method, ...(await rawCall(raw, c.method, c.body, c.stream)) });
    });
    // Never an error the service did not mean to give: UNKNOWN, the catch-all of the exception filter, or an
    // INTERNAL other than the transport's own "cannot deserialize the request".
    const unexpected = outcomes.filter(
      (o) =>
        o.code === status.UNKNOWN ||
        /internal error \(see the control plane logs\)/.test(o.details) ||
        (o.code === status.INTERNAL && !/deserializ/i.test(o.details)),
    );
    expect(unexpected.map((o) => `${o.method}: ${status[o.code]} ${o.details.slice(0, 200)}`)).toEqual([]);
    const unknown = outcomes.filter((o) => /Foo|Foos|\/$/.test(o.method));
    expect(unknown.length).toBeGreaterThan(0);
    for (const o of unknown) expect(o.code).toBe(status.UNIMPLEMENTED);

    // Above the server's 16 MiB receive limit: refused as too large, the process unaffected.
    const huge = await rawCall(raw, `${SERVICE}/GetAgent`, Buffer.alloc(17 * 1024 * 1024, 0x41), false);
    expect(huge.code).toBe(status.RESOURCE_EXHAUSTED);
  } finally {
    raw.close();
  }
  await assertHealthy();
  await assertEventsFlow('grpc');
}, 120_000);
