// bench/grpc-read: the agentctl read path of the control plane (built) on the local cluster (PERF-GOALS P11):
// unary GetAgentRun / ListAgentRuns at 50 concurrent (back to back for the rate, paced at --rate for the latency),
// a bare grpc-js server under the paced load for calibration, and a StreamAgentRunLogs stream's rate and its memory
// when the client stops reading. The unary gates are measured with a load generator in Go (grpc-read/loadgen, built
// into the cache on first use), so that the client's own CPU and GC pauses, on the same two cores, stay out of the
// server's figures; the same phases from agentctl's grpc-js client are printed beside them.
// Usage: pnpm --filter @agents/bench grpc-read [--seconds 20] [--paced-seconds 60] [--concurrency 50] [--runs 200]
//        [--events 100000] [--rate 3000]
import { CUSTOM, KubeApi, BUILTIN } from '@agents/kube';
import { createAgentctlClient, GetRequest, unary, type AgentctlServiceClient } from '@agents/proto/client';
import { createTestDatabase, freePort, PrivateNats, testKubeConfig } from '@agents/testing';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { conditions, flags, rssMiB } from '../lib/env.ts';
import { controlPlaneNodeFlags, startControlPlane, type ControlPlane } from '../lib/control-plane.ts';
import { loadgen, loadgenBinary, type LoadResult } from '../lib/loadgen.ts';
import { ms, summarize } from '../lib/stats.ts';
import { echoService } from './echo.ts';

const args = flags();
const SECONDS = Number(args.get('seconds') ?? 20);
/** The Go paced phase, long enough for several of the server's full collections (one every few seconds at 3,000/s). */
const PACED_SECONDS = Number(args.get('paced-seconds') ?? 60);
const CONCURRENCY = Number(args.get('concurrency') ?? 50);
const RUNS = Number(args.get('runs') ?? 200);
const EVENTS = Number(args.get('events') ?? 100_000);
const UNARY_RATE = Number(args.get('rate') ?? 3000);
const NS = `bench-grpc-${Date.now().toString(36)}`;
const g = 'agents.proompteng.ai/v1alpha1';
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

const api = await KubeApi.fromKubeConfig(testKubeConfig(), { qps: 0 });
const db = await createTestDatabase('bench_grpc');
const nats = await PrivateNats.start();
let cp: ControlPlane | undefined;
let client: AgentctlServiceClient | undefined;
let failures = 0;
const results: string[] = [];
function gate(name: string, ok: boolean, detail: string): void {
  if (!ok) failures += 1;
  results.push(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  console.log(results.at(-1));
}

/**
 * CONCURRENCY callers issue `call` for SECONDS: back to back (the saturation rate; its latency is mostly the queue
 * that 50 callers keep full), or, with `rate`, together at that many calls per second. Paced calls are timed from
 * when they were due, not from when they were sent, so a stall also counts against the calls it delayed (no
 * coordinated omission).
 */
async function hammer(
  call: (i: number) => Promise<unknown>,
  rate?: number,
): Promise<{ rate: number; p50: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const interval = rate ? (CONCURRENCY * 1000) / rate : 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      let due = start + (interval * w) / CONCURRENCY;
      for (let i = w; due < end && performance.now() < end; i += CONCURRENCY) {
        if (rate) {
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
        }
        const t = rate ? due : performance.now();
        due += interval;
        try {
          await call(i);
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const s = summarize(latencies);
  return { rate: latencies.length / ((performance.now() - start) / 1000), p50: s.p50, p99: s.p99, errors };
}

/** The Go load generator's phase of `method` against `address` (back to back without `rate`). */
const goLoad = (
  address: string,
  method: string,
  requests: Uint8Array[],
  rate?: number,
  seconds = SECONDS,
): Promise<LoadResult> => loadgen({ address, method, requests, concurrency: CONCURRENCY, seconds, rate });
const goFigures = (r: LoadResult) =>
  `${r.rate.toFixed(0)} req/s, p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''}`;

/**
 * The paced phase against a bare grpc-js server (grpc-read/echo-server.ts, its own process): what grpc-js alone
 * achieves on this machine, to read the control plane's figures against; from the grpc-js client and from the Go one.
 */
async function echoCalibration(rate: number): Promise<{ node: Awaited<ReturnType<typeof hammer>>; go: LoadResult }> {
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(import.meta.dirname, 'echo-server.ts'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      server.once('exit', (code) => reject(new Error(`echo-server.ts exited with ${code} before it listened`)));
    });
    const Echo = makeGenericClientConstructor(echoService, 'Echo');
    const echo = new Echo(`127.0.0.1:${port}`, credentials.createInsecure());
    const request = Buffer.from(JSON.stringify({ namespace: NS, name: 'run-0' }));
    try {
      const go = await goLoad(`127.0.0.1:${port}`, '/bench.Echo/Get', [request], rate);
      const node = await hammer(
        () =>
          new Promise((resolve, reject) =>
            echo.makeUnaryRequest(
              '/bench.Echo/Get',
              (b: Buffer) => b,
              (b: Buffer) => b,
              request,
              (e, r) => (e ? reject(e) : resolve(r)),
            ),
          ),
        rate,
      );
      return { node, go };
    } finally {
      echo.close();
    }
  } finally {
    server.kill();
  }
}

try {
  await api.create(BUILTIN.namespace, { metadata: { name: NS, labels: { 'agents.bench': 'true' } } });
  const names: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const name = `run-${i}`;
    await api.create(CUSTOM.AgentRun!, {
      apiVersion: g,
      kind: 'AgentRun',
      metadata: { name, namespace: NS },
      spec: { agentRef: { name: 'agent' }, implementationSpecRef: { name: 'task' }, runtime: { type: 'job' } },
    });
    names.push(name);
  }
  const streamed = (await api.get<{ metadata: { uid: string } }>(CUSTOM.AgentRun!, NS, 'run-0'))!;

  cp = await startControlPlane({ databaseUrl: db.url, natsUrl: nats.url, namespaces: [NS] });
  const cpPid = cp.child.pid!;
  // The run's log: EVENTS rows, as the ingest would have stored them.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(
    `insert into agent_events (dedupe_key, subject, kind, role, content, agent_run_uid, agent_run_name, agent_run_namespace, seq, message_timestamp)
     select 'bench:' || i, 'bench', 'output', 'assistant', 'line ' || i || ' of the agent''s output, about sixty bytes long.', $1, 'run-0', $2, i, now()
     from generate_series(1, $3::int) i`,
    [streamed.metadata.uid, NS, EVENTS],
  );
  await c.query(`select pg_notify('agent_events', '')`); // as the ingest does after each batch
  await c.end();
  client = createAgentctlClient({ address: `127.0.0.1:${cp.grpcPort}` });
  const cl = client;

  await loadgenBinary(); // built before the clock starts
  const address = `127.0.0.1:${cp.grpcPort}`;
  const GET = '/proompteng.agents.v1.AgentctlService/GetAgentRun';
  const getRequests = names.map((name) => GetRequest.encode({ namespace: NS, name }).finish());

  // Warm up connections and JIT, then each phase from the Go load generator and from agentctl's grpc-js client. The
  // paced phases come first: after a saturation phase the server's old generation is full of its garbage, and the
  // collection that clears it would land in the paced phase, which is meant to show the steady state at the goal's
  // rate.
  await loadgen({
    address,
    method: GET,
    requests: getRequests,
    concurrency: CONCURRENCY,
    seconds: 1,
    warmupSeconds: 10,
  });
  const getRun = (i: number) => unary(cl.getAgentRun.bind(cl), { namespace: NS, name: names[i % RUNS]! });
  await hammer(getRun).catch(() => undefined);
  // The latency goal holds at the goal's rate: 3,000 req/s from the same 50 callers.
  const pacedGo = await goLoad(address, GET, getRequests, UNARY_RATE, PACED_SECONDS);
  console.log(
    `GetAgentRun at ${UNARY_RATE} req/s offered for ${PACED_SECONDS} s (Go load generator): ${goFigures(pacedGo)}`,
  );
  const paced = await hammer(getRun, UNARY_RATE);
  console.log(
    `GetAgentRun at ${UNARY_RATE} req/s offered (grpc-js client): ${paced.rate.toFixed(0)} req/s, p50 ${ms(paced.p50)}, p99 ${ms(paced.p99)}, ${paced.errors} errors`,
  );
  gate(
    'P11 unary latency',
    UNARY_RATE >= 3000 && pacedGo.p99Ms <= 25 && pacedGo.errors === 0 && pacedGo.rate >= UNARY_RATE * 0.98,
    `p99 ${ms(pacedGo.p99Ms)} at ${pacedGo.rate.toFixed(0)} req/s from ${CONCURRENCY} callers (goal ≤ 25 ms at 3,000 req/s), ${pacedGo.errors} errors; from a grpc-js client p99 ${ms(paced.p99)}`,
  );
  const getGo = await goLoad(address, GET, getRequests);
  console.log(`GetAgentRun, back to back (Go load generator): ${goFigures(getGo)}`);
  const get = await hammer(getRun);
  console.log(
    `GetAgentRun, back to back (grpc-js client): ${get.rate.toFixed(0)} req/s, p50 ${ms(get.p50)}, p99 ${ms(get.p99)}, ${get.errors} errors`,
  );
  gate(
    'P11 unary rate',
    getGo.rate >= 3000 && getGo.errors === 0,
    `GetAgentRun ${getGo.rate.toFixed(0)} req/s at ${CONCURRENCY} concurrent (goal ≥ 3,000), ${getGo.errors} errors; from a grpc-js client ${get.rate.toFixed(0)} req/s`,
  );
  const echo = await echoCalibration(UNARY_RATE);
  console.log(
    `calibration, a bare grpc-js server answering 2 KiB at ${UNARY_RATE} req/s offered (no gate): Go load generator ${goFigures(echo.go)}; grpc-js client ${echo.node.rate.toFixed(0)} req/s, p50 ${ms(echo.node.p50)}, p99 ${ms(echo.node.p99)}, ${echo.node.errors} errors`,
  );
  const list = await hammer(() =>
    unary(cl.listAgentRuns.bind(cl), { namespace: NS, labelSelector: '', phase: '', runtime: '' }),
  );
  console.log(
    `ListAgentRuns (${RUNS} runs each): ${list.rate.toFixed(0)} req/s, p50 ${ms(list.p50)}, p99 ${ms(list.p99)}, ${list.errors} errors (no gate)`,
  );

  // What the read phases leave resident, and what the idle memory reducer gives back once the process is quiet (it
  // looks every 15 s, so within 30 s).
  {
    const busy = rssMiB(cpPid);
    await sleep(35_000);
    console.log(
      `Control plane RSS after the read phases: ${busy.toFixed(0)} MiB; after 35 s quiet: ${rssMiB(cpPid).toFixed(0)} MiB (no gate)`,
    );
  }

  // Stream rate: the whole stored log, as fast as the client reads.
  {
    const start = performance.now();
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      const call = cl.streamAgentRunLogs({ namespace: NS, name: 'run-0', follow: false, afterId: 0 });
      call.on('data', () => (n += 1));
      call.on('end', () => resolve());
      call.on('error', reject);
    });
    const rate = n / ((performance.now() - start) / 1000);
    console.log(`StreamAgentRunLogs: ${n} messages at ${rate.toFixed(0)} msgs/s`);
    gate(
      'P11 stream rate',
      n === EVENTS && rate >= 10_000,
      `${rate.toFixed(0)} msgs/s, ${n}/${EVENTS} messages (goal ≥ 10,000/s)`,
    );
  }

  // Stream memory: a client that stops reading after the first message must not make the server buffer the rest.
  {
    const before = rssMiB(cpPid);
    let n = 0;
    const call = cl.streamAgentRunLogs({ namespace: NS, name: 'run-0', follow: false, afterId: 0 });
    call.on('error', () => undefined);
    await new Promise<void>((resolve) =>
      call.on('data', () => {
        n += 1;
        if (n === 1) {
          call.pause();
          resolve();
        }
      }),
    );
    await sleep(5000);
    const after = rssMiB(cpPid);
    call.cancel();
    console.log(
      `Paused stream: control plane RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB while ${EVENTS} messages were due`,
    );
    gate(
      'P11 stream memory',
      after - before <= 32,
      `RSS grew ${(after - before).toFixed(0)} MiB with a paused ${EVENTS}-message stream (goal: bounded, ≤ 32 MiB)`,
    );
  }
} finally {
  console.log('\nConditions:');
  for (const [k, v] of Object.entries(
    conditions({
      load: `${CONCURRENCY} concurrent callers for ${SECONDS} s (the Go paced phase ${PACED_SECONDS} s at ${UNARY_RATE} req/s), ${RUNS} AgentRuns, a log of ${EVENTS} events`,
      'control plane node flags': controlPlaneNodeFlags(),
      'load generators': "grpc-read/loadgen (Go, grpc-go, one connection; the gates) and agentctl's grpc-js client",
      'one machine': 'load generator, control plane, kube-apiserver and Postgres share the CPUs',
    }),
  ))
    console.log(`  ${k}: ${v}`);
  console.log('\nResults:');
  for (const r of results) console.log(`  ${r}`);
  client?.close();
  await cp?.kill();
  await api.delete(BUILTIN.namespace, undefined, NS).catch(() => undefined);
  await nats.stop();
  await db.drop();
}
process.exit(failures ? 1 : 0);
