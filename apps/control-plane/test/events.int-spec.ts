import {
  PrivateNats,
  TcpProxy,
  TestNamespace,
  createTestDatabase,
  eventually,
  testKubeConfig,
  type TestDatabase,
} from '@agents/testing';
import { createConnection } from 'node:net';
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

// The events path with real parts: runner-style publishes to JetStream → the control plane's durable consumer →
// batched idempotent inserts into Postgres → Server-Sent Events, resumable with Last-Event-ID.
let db: TestDatabase;
let nats: PrivateNats;
let ns: TestNamespace;
let publisher: Publisher;
let pgProxy: TcpProxy;
let cp: ControlPlaneProcess;
const run: RunRef = { namespace: 'agents', name: 'fix-1', uid: `uid-${Date.now()}` };

async function count(sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await c.end();
  }
}

async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function start(): Promise<ControlPlaneProcess> {
  const url = new URL(db.url);
  url.port = String(pgProxy.port);
  return startControlPlane({
    databaseUrl: url.toString(),
    natsUrl: nats.url,
    namespaces: [ns.name],
    env: {
      JANGAR_SSE_MAX_BUFFER_BYTES: String(64 * 1024),
      JANGAR_SSE_STALL_SECONDS: '2',
      JANGAR_SSE_HEARTBEAT_SECONDS: '1',
      // Served where the chart's ServiceMonitor scrapes (metrics.path), and only there.
      JANGAR_PROMETHEUS_METRICS_PATH: '/internal/prometheus',
      // The chart's cors.allowedOrigins: a browser UI there may read the streams.
      JANGAR_CORS_ALLOWED_ORIGINS: 'https://ui.example.com',
    },
    httpPort: cp?.httpPort,
    grpcPort: cp?.grpcPort,
  });
}

beforeAll(async () => {
  db = await createTestDatabase('cp_events');
  nats = await PrivateNats.start();
  ns = await TestNamespace.create(testKubeConfig(), 'cp-events');
  pgProxy = await TcpProxy.start('127.0.0.1', 5432);
  cp = await start();
  publisher = await Publisher.connect(nats.url);
}, 90_000);

afterAll(async () => {
  if (cp) console.log(cp.logs().slice(-4000));
  await publisher?.close().catch(() => undefined);
  await cp?.kill();
  await pgProxy?.close();
  await nats?.stop();
  await ns?.delete();
  await db?.drop();
});

it('stores a published message once and pushes it to an SSE subscriber of the run, with its id', async () => {
  const sse = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${run.uid}`);
  for (let i = 1; i <= 3; i++) await publisher.publish(subjectOf(run), message(run, i), `${run.uid}:test:${i}`);
  const events = await sse.next(3);
  sse.close();
  expect(events.map((e) => JSON.parse(e.data).content)).toEqual(['line 1', 'line 2', 'line 3']);
  expect(events.every((e) => /^\d+$/.test(e.id ?? ''))).toBe(true);
  expect(await count(`select count(*) n from agent_events where agent_run_uid = '${run.uid}'`)).toBe(3);
});

it('serves a live event with the bytes a replay from Postgres gives (attrs in jsonb key order, text as stored)', async () => {
  const r = { ...run, uid: `${run.uid}-bytes` };
  const live = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${r.uid}`);
  // Keys out of jsonb's order (shorter first, then bytewise), integer-like keys, nesting; a lone surrogate in the text.
  const attrs = { zeta: 1, a: { yy: [{ bb: 2, a: 1 }], x: 'y' }, '10': 'ten', '2': 'two', bb: 'b' };
  await publisher.publish(subjectOf(r), message(r, 1, { attrs, content: 'half a pair: \ud83d' }));
  const [event] = await live.next(1);
  live.close();
  const parsed = JSON.parse(event!.data) as { content: string; attrs: Record<string, unknown> };
  expect(parsed.content).toBe('half a pair: \ufffd');
  expect(Object.keys(parsed.attrs)).toEqual(['2', '10', 'a', 'bb', 'zeta']);
  const replay = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${r.uid}`);
  // The control plane's window serves the replay too; compare with what Postgres itself returns.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const row = (await c.query(`select attrs::text a from agent_events where agent_run_uid = $1`, [r.uid])).rows[0];
    expect(JSON.stringify(parsed.attrs)).toBe(JSON.stringify(JSON.parse(row.a as string)));
  } finally {
    await c.end();
  }
  expect((await replay.next(1))[0]!.data).toBe(event!.data);
  replay.close();
});

it('gives every replica the same events in the same id order, without a gap, when two replicas ingest', async () => {
  const url = new URL(db.url);
  url.port = String(pgProxy.port);
  const second = await startControlPlane({
    databaseUrl: url.toString(),
    natsUrl: nats.url,
    namespaces: [ns.name],
    env: { JANGAR_PROMETHEUS_METRICS_PATH: '/internal/prometheus' },
  });
  const r = { ...run, uid: `${run.uid}-replicas` };
  const N = 2000;
  const readers = [cp, second].map((p) => new SseReader(`${p.url}/v1/agent-events?agentRunUid=${r.uid}`));
  try {
    // Published 100 at a time, so that the two replicas' batches commit back to back.
    for (let i = 0; i < N; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => publisher.publish(subjectOf(r), message(r, i + j + 1))));
    // Ids follow commit order, which two replicas' batches interleave: the order of ids, not of seq, is the contract.
    const [first, other] = await Promise.all(readers.map((reader) => reader.next(N)));
    const ids = first!.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(other!.map((e) => Number(e.id))).toEqual(ids);
    const seqs = first!.map((e) => (JSON.parse(e.data) as { seq: number }).seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    const stored = await count(`select count(*) n from agent_events where agent_run_uid = '${r.uid}'`);
    expect(stored).toBe(N);
    // Both took part: each replica's own batches reached the other's readers through Postgres.
    const inserted = async (p: ControlPlaneProcess) =>
      Number(
        /^agents_agent_comms_inserted_total (\d+)/m.exec(
          await (await fetch(`${p.url}/internal/prometheus`)).text(),
        )?.[1],
      );
    expect(await inserted(second)).toBeGreaterThan(0);
    expect(await inserted(cp)).toBeGreaterThan(0);
  } finally {
    for (const reader of readers) reader.close();
    await second.kill();
  }
}, 60_000);

it('streams every run of a namespace, and one run by namespace and name, with heartbeats while idle', async () => {
  const teamA = `team-a-${run.uid}`;
  const a1: RunRef = { namespace: teamA, name: 'a-1', uid: `${run.uid}-a1` };
  const a2: RunRef = { namespace: teamA, name: 'a-2', uid: `${run.uid}-a2` };
  const b1: RunRef = { namespace: `team-b-${run.uid}`, name: 'a-1', uid: `${run.uid}-b1` };
  for (const r of [a1, b1, a2]) await publisher.publish(subjectOf(r), message(r, 1), `${r.uid}:test:1`);
  const byNamespace = new SseReader(`${cp.url}/v1/agent-events?namespace=${teamA}&from=start`);
  const byName = new SseReader(`${cp.url}/v1/agent-events?agentRunNamespace=${teamA}&agentRunName=a-1`);
  try {
    const runsOf = (events: { data: string }[]) =>
      events
        .map((e) => JSON.parse(e.data) as { agentRunNamespace: string; agentRunName: string })
        .map((e) => `${e.agentRunNamespace}/${e.agentRunName}`);
    expect(runsOf(await byNamespace.next(2))).toEqual([`${teamA}/a-1`, `${teamA}/a-2`]);
    expect(runsOf(await byName.next(1))).toEqual([`${teamA}/a-1`]);
    // Pushed as they are stored: a new event of a-1 reaches both streams; b-1's (another namespace) neither.
    await publisher.publish(subjectOf(b1), message(b1, 2), `${b1.uid}:test:2`);
    await publisher.publish(subjectOf(a1), message(a1, 2), `${a1.uid}:test:2`);
    expect(runsOf(await byNamespace.next(1))).toEqual([`${teamA}/a-1`]);
    expect(runsOf(await byName.next(1))).toEqual([`${teamA}/a-1`]);
    // JANGAR_SSE_HEARTBEAT_SECONDS=1: an idle stream keeps getting comments, and no event.
    const before = byName.heartbeats;
    await eventually(() => expect(byName.heartbeats).toBeGreaterThanOrEqual(before + 2), { timeoutMs: 5000 });
    expect(byNamespace.pending + byName.pending).toBe(0);
  } finally {
    byNamespace.close();
    byName.close();
  }
});

it('stores a message delivered twice (same message id, different transport ids) once', async () => {
  const dup = { ...run, uid: `${run.uid}-dup` };
  await publisher.publish(subjectOf(dup), message(dup, 1), 'transport-a');
  await publisher.publish(subjectOf(dup), message(dup, 1), 'transport-b');
  await publisher.publish(subjectOf(dup), message(dup, 2), 'transport-c');
  await eventually(async () =>
    expect(await count(`select count(*) n from agent_events where agent_run_uid = '${dup.uid}'`)).toBe(2),
  );
  // Give the ingest time to (wrongly) store the duplicate: the total must stay 2.
  const metrics = await (await fetch(`${cp.url}/internal/prometheus`)).text();
  expect(metrics).toMatch(/agents_agent_comms_duplicates_total [1-9]/);
  // JANGAR_PROMETHEUS_METRICS_PATH moved them: the default path is not served.
  expect((await fetch(`${cp.url}/metrics`)).status).toBe(404);
});

it('answers browsers from the allowed origins with CORS headers, and no others', async () => {
  const from = (origin: string) =>
    fetch(`${cp.url}/v1/agent-events?namespace=${ns.name}`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'last-event-id',
      },
    });
  const allowed = await from('https://ui.example.com');
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example.com');
  expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Last-Event-ID/i);
  const other = await from('https://evil.example.com');
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

it('puts malformed messages in the dead-letter table with the reason, and keeps consuming', async () => {
  const bad = { ...run, uid: `${run.uid}-bad` };
  await publisher.publish(subjectOf(bad), new TextEncoder().encode('not json at all'));
  await publisher.publish(subjectOf(bad), new TextEncoder().encode('{"kind":"output"}'));
  await publisher.publish(subjectOf(bad), message(bad, 1));
  await eventually(async () =>
    expect(await count(`select count(*) n from agent_events where agent_run_uid = '${bad.uid}'`)).toBe(1),
  );
  await eventually(async () => expect(await count(`select count(*) n from ingest_dead_letters`)).toBe(2));
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const reasons = (await c.query<{ reason: string }>('select reason from ingest_dead_letters order by id')).rows.map(
    (r) => r.reason,
  );
  await c.end();
  expect(reasons[0]).toMatch(/not JSON/);
  expect(reasons[1]).toMatch(/has no content/);
});

it('dead-letters a row Postgres refuses and still stores the rest of its batch', async () => {
  const r = { ...run, uid: `${run.uid}-poison` };
  // A row the parser accepts but the database refuses (as a constraint or an encoding rule would).
  await sql(`create function refuse_poison() returns trigger language plpgsql as $$
    begin if new.content = 'poison' then raise exception 'poisoned row' using errcode = '22023'; end if; return new; end $$`);
  await sql(`create trigger refuse_poison before insert on agent_events for each row execute function refuse_poison()`);
  try {
    const before = await count(`select count(*) n from ingest_dead_letters`);
    await Promise.all([
      publisher.publish(subjectOf(r), message(r, 1)),
      publisher.publish(subjectOf(r), message(r, 2, { content: 'poison' })),
      publisher.publish(subjectOf(r), message(r, 3)),
    ]);
    await eventually(async () =>
      expect(await count(`select count(*) n from agent_events where agent_run_uid = '${r.uid}'`)).toBe(2),
    );
    await eventually(async () => expect(await count(`select count(*) n from ingest_dead_letters`)).toBe(before + 1));
    expect(
      await count(`select count(*) n from ingest_dead_letters where reason like 'refused by Postgres: poisoned row%'`),
    ).toBe(1);
  } finally {
    await sql('drop trigger refuse_poison on agent_events');
    await sql('drop function refuse_poison');
  }
});

it('resumes an SSE stream without a gap after a control-plane restart (Last-Event-ID)', async () => {
  const r = { ...run, uid: `${run.uid}-resume` };
  const sse = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${r.uid}`);
  for (let i = 1; i <= 5; i++) await publisher.publish(subjectOf(r), message(r, i));
  const first = await sse.next(5);
  sse.close();
  await cp.kill('SIGKILL');
  for (let i = 6; i <= 10; i++) await publisher.publish(subjectOf(r), message(r, i));
  cp = await start();
  const resumed = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${r.uid}`, { 'Last-Event-ID': first[4]!.id! });
  const rest = await resumed.next(5);
  await new Promise((res) => setTimeout(res, 500));
  expect(resumed.pending).toBe(0);
  resumed.close();
  expect([...first, ...rest].map((e) => JSON.parse(e.data).seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const ids = [...first, ...rest].map((e) => Number(e.id));
  expect([...ids].sort((a, b) => a - b)).toEqual(ids);
}, 90_000);

it('cuts an SSE client that stops reading at the buffer bound, without slowing the others', async () => {
  const r = { ...run, uid: `${run.uid}-slow` };
  // A client that sends its request and never reads a byte.
  const slow = createConnection(cp.httpPort, '127.0.0.1');
  slow.write(`GET /v1/agent-events?agentRunUid=${r.uid} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
  slow.pause();
  const reader = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${r.uid}`);
  const big = 'x'.repeat(16 * 1024);
  const total = 1200; // ~20 MiB: more than the kernel's socket buffers on loopback and the 64 KiB bound together
  for (let i = 1; i <= total; i++) await publisher.publish(subjectOf(r), message(r, i, { content: `${i} ${big}` }));
  const got = await reader.next(total, 60_000);
  reader.close();
  expect(got).toHaveLength(total);
  // The server hung up on it (a paused socket sees the close only once it reads, so ask the server).
  await eventually(
    async () =>
      expect(await (await fetch(`${cp.url}/internal/prometheus`)).text()).toMatch(
        /agents_sse_slow_clients_cut_total 1\b/,
      ),
    {
      what: 'the slow client to be cut',
    },
  );
  slow.destroy();
}, 90_000);

it('loses nothing across a 30 s NATS outage and a 30 s Postgres outage (R9 in miniature)', async () => {
  const r = { ...run, uid: `${run.uid}-outage` };
  const sse = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${r.uid}`);
  for (let i = 1; i <= 10; i++) await publisher.publish(subjectOf(r), message(r, i));
  await sse.next(10);

  await publisher.close();
  await nats.stop();
  // Still ready (reads and streams work without NATS), but it says what is missing.
  await eventually(async () => {
    const res = await fetch(`${cp.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'degraded', degraded: [expect.stringMatching(/^agent-comms/)] });
  });
  await new Promise((res) => setTimeout(res, 30_000));
  await nats.resume();
  publisher = await Publisher.connect(nats.url);
  for (let i = 11; i <= 20; i++) await publisher.publish(subjectOf(r), message(r, i));
  await sse.next(10, 60_000);

  pgProxy.cut();
  for (let i = 21; i <= 30; i++) await publisher.publish(subjectOf(r), message(r, i));
  await eventually(async () => expect((await fetch(`${cp.url}/ready`)).status).toBe(503), {
    what: '/ready to report Postgres unreachable',
  });
  await new Promise((res) => setTimeout(res, 30_000));
  pgProxy.restore();
  await sse.next(10, 60_000);
  sse.close();
  expect(await count(`select count(*) n from agent_events where agent_run_uid = '${r.uid}'`)).toBe(30);
  expect(await count(`select count(distinct seq) n from agent_events where agent_run_uid = '${r.uid}'`)).toBe(30);
  await eventually(async () => expect((await fetch(`${cp.url}/ready`)).status).toBe(200));
}, 180_000);
