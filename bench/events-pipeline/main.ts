// bench/events-pipeline: agent events runner → NATS (JetStream) → control plane → Postgres → SSE, with the real
// control plane (built), a private nats-server and a database of its own (PERF-GOALS P8, P9, F16).
// Usage: pnpm --filter @agents/bench events-pipeline [--seconds 300] [--rate 5000] [--runs 100]
//        [--subscribers 1000] [--fanout-rate 60] [--fanout-seconds 20] [--idle 5000] [--only p8,p9,slow,idle]
//        [--warmup 10] [--env NAME=VALUE,…] (control plane settings to try)
// P8 runs for PERF-GOALS' 5 minutes unless --seconds says otherwise, after --warmup seconds at the same rate.
import { encodeMessage, ensureAgentCommsStream, runSubject, type AgentMessage } from '@agents/nats';
import { createTestDatabase, PrivateNats } from '@agents/testing';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { createConnection } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { conditions, cpuShare, envFlag, flags, pidsNamed, rssMiB } from '../lib/env.ts';
import {
  controlPlaneNodeFlags,
  histogram,
  metric,
  overBound,
  sample,
  scrape,
  startControlPlane,
  type ControlPlane,
} from '../lib/control-plane.ts';
import { field, SseClient } from '../lib/sse.ts';
import { ReaderThread } from './reader-thread.ts';
import { ms, summarize } from '../lib/stats.ts';

const args = flags();
const SECONDS = Number(args.get('seconds') ?? 300);
const RATE = Number(args.get('rate') ?? 5000);
/**
 * Seconds of P8's load before it measures: a fresh process's first seconds (JIT, pools, caches) build a backlog that
 * is not the steady state. Their events are checked like the others; their latency is printed on its own line.
 */
const WARMUP = Number(args.get('warmup') ?? 10);
const RUNS = Number(args.get('runs') ?? 100);
const SUBSCRIBERS = Number(args.get('subscribers') ?? 1000);
const FANOUT_RATE = Number(args.get('fanout-rate') ?? 60);
const FANOUT_SECONDS = Number(args.get('fanout-seconds') ?? 20);
const IDLE = Number(args.get('idle') ?? 5000);
const ONLY = new Set((args.get('only') ?? 'p8,p9,slow,idle').split(','));
const NS = 'agents-bench';
/** Where the fan-out subscribers listen (apart from P8's runs, whose backlog must not count). */
const NS_FANOUT = 'agents-bench-fanout';
/** Where the non-reading subscriber of the F16 check listens (its own stream of large events). */
const NS_SLOW = 'agents-bench-slow';
const IN_FLIGHT = 1024;
const STALL_SECONDS = 2;
/** The control plane's settings: the stall timeout P9's slow-client check needs, then --env (to try one). */
const CP_ENV = { JANGAR_SSE_STALL_SECONDS: String(STALL_SECONDS), ...envFlag(args) };

const now = () => performance.timeOrigin + performance.now();
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

interface Run {
  namespace: string;
  uid: string;
  name: string;
  seq: number;
}

const runsOf = (namespace: string, prefix: string, n: number): Run[] =>
  Array.from({ length: n }, (_, i) => ({
    namespace,
    uid: `${prefix}-${i}-${Date.now()}`,
    name: `${prefix}-${i}`,
    seq: 0,
  }));

/** Publishes like runners do: JetStream with a Nats-Msg-Id, a window of acks in flight, at a target rate. */
class Load {
  published = 0;
  failed = 0;
  private inFlight = 0;
  private readonly js: JetStreamClient;
  /** Bytes added to each message's content. */
  private readonly padding: number;
  constructor(js: JetStreamClient, padding = 0) {
    this.js = js;
    this.padding = padding;
  }

  private publish(run: Run): void {
    run.seq += 1;
    const m: AgentMessage = {
      message_id: `${run.uid}:bench:${run.seq}`,
      kind: 'output',
      role: 'assistant',
      content: `t=${now().toFixed(3)}${this.padding ? ` ${'x'.repeat(this.padding)}` : ''}`,
      agent_run_uid: run.uid,
      agent_run_name: run.name,
      agent_run_namespace: run.namespace,
      agent_id: 'agent',
      seq: run.seq,
      timestamp: new Date().toISOString(),
    };
    const subject = runSubject({
      namespace: run.namespace,
      workflow: run.name,
      uid: run.uid,
      agentId: 'agent',
      kind: 'output',
    });
    this.inFlight += 1;
    this.js
      .publish(subject, encodeMessage(m), { msgID: m.message_id })
      .then(() => (this.published += 1))
      .catch(() => (this.failed += 1))
      .finally(() => (this.inFlight -= 1));
  }

  /** `rate` messages a second spread round-robin over `runs`, for `seconds`. */
  async drive(runs: Run[], rate: number, seconds: number): Promise<{ offered: number; seconds: number }> {
    const start = performance.now();
    let sent = 0;
    let i = 0;
    for (;;) {
      const elapsed = (performance.now() - start) / 1000;
      if (elapsed >= seconds) break;
      const due = Math.floor(rate * elapsed);
      while (sent < due && this.inFlight < IN_FLIGHT) {
        this.publish(runs[i++ % runs.length]!);
        sent += 1;
      }
      await sleep(5);
    }
    while (this.inFlight > 0) await sleep(5);
    return { offered: sent, seconds: (performance.now() - start) / 1000 };
  }
}

const cpuCount = conditions({}).cpus;
const db = await createTestDatabase('bench_events');
const nats = await PrivateNats.start();
const nc: NatsConnection = await connect({ servers: nats.url });
await ensureAgentCommsStream(await nc.jetstreamManager());
const js = nc.jetstream();
let cp: ControlPlane | undefined;
let failures = 0;
const results: string[] = [];
function gate(name: string, ok: boolean, detail: string): void {
  if (!ok) failures += 1;
  results.push(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  console.log(results.at(-1));
}

try {
  // A fresh control plane per phase: each phase's memory figure is its own, not what an earlier phase left.
  let cpPid = 0;
  const fresh = async (phase: string) => {
    await cp?.kill();
    cp = await startControlPlane({
      databaseUrl: db.url,
      natsUrl: nats.url,
      namespaces: [NS, NS_FANOUT, NS_SLOW],
      env: CP_ENV,
    });
    cpPid = cp.child.pid!;
    console.log(`${phase}: control plane pid ${cpPid}, RSS at start ${rssMiB(cpPid).toFixed(0)} MiB`);
  };

  if (ONLY.has('p8')) {
    await fresh('P8');
    // P8: RUNS runs publish RATE events/s for SECONDS; one SSE subscriber per run checks order, loss and latency.
    const runs = runsOf(NS, 'p8', RUNS);
    const readers = new ReaderThread(runs.map((r) => `${cp!.url}/v1/agent-events?agentRunUid=${r.uid}`));
    await readers.opened;
    const published = () => runs.reduce((n, r) => n + r.seq, 0);
    let warmUp = '';
    if (WARMUP > 0) {
      const warm = await new Load(js).drive(runs, RATE, WARMUP);
      const warmEnd = performance.now();
      const until = Date.now() + 60_000;
      while (readers.received < published() && Date.now() < until) await sleep(50);
      warmUp = `${warm.offered} events in ${warm.seconds.toFixed(1)} s, drained ${((performance.now() - warmEnd) / 1000).toFixed(1)} s after it`;
    }
    const rssBefore = rssMiB(cpPid);
    const cpu = cpuShare({
      'control plane': () => [cpPid],
      'nats-server': () => (nats.pid ? [nats.pid] : []),
      postgres: () => pidsNamed('postgres'),
    });
    const before = await scrape(cp!.url);
    const batchesBefore = histogram(before, 'agents_agent_comms_insert_duration_ms');
    const gcBefore = histogram(before, 'nodejs_gc_duration_seconds', 'kind="major"');
    // The publisher's loop (the readers have their own thread): a stall here delays sends, not reads.
    const publisherLag = monitorEventLoopDelay({ resolution: 10 });
    publisherLag.enable();
    readers.measure();
    /** When the measured load began: events sent before it belong to the warm-up. */
    const loadStart = now();
    const load = await new Load(js).drive(runs, RATE, SECONDS);
    const loadEnd = performance.now();
    const cpuDuringLoad = cpu.stop();
    const deadline = Date.now() + 120_000;
    const expected = published();
    while (readers.received < expected && Date.now() < deadline) await sleep(100);
    const drainedAfter = ((performance.now() - loadEnd) / 1000).toFixed(1);
    const { received, outOfOrder } = readers;
    const readings = await readers.finish();
    const latencies: number[] = [];
    const warmLatencies: number[] = [];
    /** The worst latency of the events published in each second of the load, to tell a stall from a slope. */
    const worstBySecond: number[] = [];
    for (let i = 0; i < readings.sent.length; i++) {
      const sent = readings.sent[i]!;
      const latency = readings.latency[i]!;
      if (sent < loadStart) warmLatencies.push(latency);
      else {
        latencies.push(latency);
        const second = Math.floor((sent - loadStart) / 1000);
        worstBySecond[second] = Math.max(worstBySecond[second] ?? 0, latency);
      }
    }
    if (warmUp) {
      const w = summarize(warmLatencies);
      console.log(
        `P8 warm-up: ${warmUp}, publish→SSE p50 ${ms(w.p50)} p99 ${ms(w.p99)} max ${ms(w.max)} (not in the figures below)`,
      );
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const stored = (
      await c.query<{ n: string; distinct: string }>(
        `select count(*) n, count(distinct (agent_run_uid, seq)) "distinct" from agent_events where agent_run_uid like 'p8-%'`,
      )
    ).rows[0]!;
    await c.end();
    const s = summarize(latencies);
    // Where a tail comes from: CPU saturation, slow batches (Postgres), or collections (the control plane's GC).
    const after = await scrape(cp!.url);
    const batches = histogram(after, 'agents_agent_comms_insert_duration_ms');
    const gc = histogram(after, 'nodejs_gc_duration_seconds', 'kind="major"');
    const lagMax = sample(after, 'nodejs_eventloop_lag_max_seconds') * 1000;
    publisherLag.disable();
    const stalled = worstBySecond.flatMap((w, i) => (w > 250 ? [`${i} s: ${ms(w)}`] : []));
    console.log(
      `P8 where the time went: CPU during the load ${cpuDuringLoad}; ` +
        `${batches.count - batchesBefore.count} ingest batches, ${overBound(batches, 250) - overBound(batchesBefore, 250)} over 250 ms, ` +
        `mean ${((batches.sum - batchesBefore.sum) / Math.max(1, batches.count - batchesBefore.count)).toFixed(1)} ms; ` +
        `control plane major GCs ${gc.count - gcBefore.count} (${((gc.sum - gcBefore.sum) * 1000).toFixed(0)} ms in all, ` +
        `${overBound(gc, 0.1) - overBound(gcBefore, 0.1)} over 100 ms), event loop lag max ${ms(lagMax)} (the benchmark's publisher ${ms(publisherLag.max / 1e6)}, its SSE readers ${ms(readings.lagMaxMs)}); ` +
        `seconds of the load with an event over 250 ms: ${stalled.length} of ${worstBySecond.length}` +
        (stalled.length ? ` (${stalled.slice(0, 12).join(', ')}${stalled.length > 12 ? ', …' : ''})` : ''),
    );
    // Sustained: the rate offered, when everything offered arrived and no backlog was left when the load stopped.
    const keptUp = received === expected && Number(drainedAfter) <= 1;
    const rate = keptUp ? load.offered / load.seconds : received / (load.seconds + Number(drainedAfter));
    console.log(
      `P8: offered ${load.offered} events in ${load.seconds.toFixed(1)} s (${(load.offered / load.seconds).toFixed(0)}/s), ` +
        `received ${received} on ${RUNS} SSE streams, stored ${stored.n} (${stored.distinct} distinct run+seq), ` +
        `publish→SSE p50 ${ms(s.p50)} p99 ${ms(s.p99)} max ${ms(s.max)}, control plane RSS ${rssBefore.toFixed(0)}→${rssMiB(cpPid).toFixed(0)} MiB (the last event arrived ${drainedAfter} s after the load stopped)`,
    );
    gate(
      'P8 throughput',
      keptUp && load.offered >= 0.995 * RATE * SECONDS && RATE >= 5000,
      `${rate.toFixed(0)} events/s sustained end to end for ${load.seconds.toFixed(0)} s${keptUp ? ' (no backlog at the end)' : ' (fell behind)'} (goal ≥ 5,000/s; stretch 20,000/s)`,
    );
    gate('P8 latency', s.p99 <= 250, `p99 publish→SSE ${ms(s.p99)} (goal ≤ 250 ms)`);
    gate(
      'P8 no loss, no duplicates',
      received === expected &&
        Number(stored.n) === expected &&
        Number(stored.distinct) === expected &&
        outOfOrder === 0,
      `${expected} published, ${received} delivered, ${stored.n} stored, ${outOfOrder} out of sequence`,
    );
  }

  if (ONLY.has('p9') || ONLY.has('slow')) {
    await fresh('P9');
    // P9: SUBSCRIBERS namespace subscribers, FANOUT_RATE events/s → SUBSCRIBERS × FANOUT_RATE deliveries/s.
    const fanout = async (label: string, withSlowReader: boolean) => {
      const latencies: number[] = [];
      let delivered = 0;
      const clients = Array.from(
        { length: SUBSCRIBERS },
        () =>
          new SseClient(`${cp!.url}/v1/agent-events?namespace=${NS_FANOUT}`, (data) => {
            latencies.push(now() - field(data, 'content'));
            delivered += 1;
          }),
      );
      await Promise.all(clients.map((c) => c.opened));
      let slow: ReturnType<typeof createConnection> | undefined;
      let slowLoad: Promise<unknown> = Promise.resolve();
      const cutBefore = await metric(cp!.url, 'agents_sse_slow_clients_cut_total');
      if (withSlowReader) {
        // A client that never reads, on a stream of 16 KiB events (~13 MiB over the window: more than the kernel's
        // socket buffers hold), served by the same process as the others.
        slow = createConnection(cp!.httpPort, '127.0.0.1');
        slow.write(
          `GET /v1/agent-events?namespace=${NS_SLOW} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n`,
        );
        slow.pause();
      }
      // Both variants carry the large events: the only difference between them is the reader that does not read.
      if (ONLY.has('slow')) slowLoad = new Load(js, 16 * 1024).drive(runsOf(NS_SLOW, 'slow', 1), 40, FANOUT_SECONDS);
      const runs = runsOf(NS_FANOUT, `p9-${withSlowReader ? 'slow' : 'base'}`, 10);
      const rssBefore = rssMiB(cpPid);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(cpPid))), 250);
      const { offered, seconds } = await new Load(js).drive(runs, FANOUT_RATE, FANOUT_SECONDS);
      await slowLoad;
      const expected = offered * SUBSCRIBERS;
      const deadline = Date.now() + 30_000;
      while (delivered < expected && Date.now() < deadline) await sleep(100);
      clearInterval(sampler);
      clients.forEach((c) => c.close());
      const cutDeadline = Date.now() + (withSlowReader ? 30_000 : 0);
      const cutSoFar = async () => (await metric(cp!.url, 'agents_sse_slow_clients_cut_total')) - cutBefore;
      let cut = await cutSoFar();
      while (cut === 0 && Date.now() < cutDeadline) {
        await sleep(250);
        cut = await cutSoFar();
      }
      slow?.destroy();
      const s = summarize(latencies);
      console.log(
        `P9 (${label}): ${SUBSCRIBERS} subscribers × ${offered} events in ${seconds.toFixed(1)} s = ${delivered}/${expected} deliveries ` +
          `(${(delivered / seconds).toFixed(0)}/s), p50 ${ms(s.p50)} p99 ${ms(s.p99)}, RSS ${rssBefore.toFixed(0)}→peak ${rssPeak.toFixed(0)} MiB` +
          (withSlowReader ? `, slow readers cut: ${cut}` : ''),
      );
      return { rate: delivered / seconds, p99: s.p99, rssPeak, complete: delivered === expected, cut };
    };
    const base = await fanout('all reading', false);
    if (ONLY.has('p9')) {
      gate(
        'P9 fan-out rate',
        base.rate >= 50_000,
        `${base.rate.toFixed(0)} deliveries/s to ${SUBSCRIBERS} subscribers (goal ≥ 50,000/s)`,
      );
      gate('P9 fan-out latency', base.p99 <= 250, `p99 ${ms(base.p99)} (goal ≤ 250 ms)`);
      gate(
        'P9 server memory',
        base.rssPeak <= 256,
        `control plane RSS peak ${base.rssPeak.toFixed(0)} MiB (goal ≤ 256 MiB)`,
      );
      gate('P9 every delivery arrived', base.complete, base.complete ? 'all delivered' : 'deliveries missing');
    }
    if (ONLY.has('slow')) {
      const withSlow = await fanout('one subscriber not reading', true);
      const change = (withSlow.p99 - base.p99) / base.p99;
      gate(
        'F16 slow reader cut',
        withSlow.cut >= 1,
        `${withSlow.cut} non-reading subscriber(s) cut (paused at 64 KiB unread, cut after JANGAR_SSE_STALL_SECONDS = ${STALL_SECONDS} s without reading)`,
      );
      gate(
        'F16 others unaffected',
        change < 0.2 && withSlow.complete,
        `others' p99 ${ms(base.p99)} → ${ms(withSlow.p99)} (${(change * 100).toFixed(0)} %, goal < 20 %)`,
      );
    }
  }

  if (ONLY.has('idle')) {
    await fresh('Idle');
    // Idle subscribers: what each open, silent connection costs the control plane.
    await sleep(2000);
    const before = rssMiB(cpPid);
    const clients: SseClient[] = [];
    for (let i = 0; i < IDLE; i += 250) {
      const batch = Array.from(
        { length: Math.min(250, IDLE - i) },
        (_, j) => new SseClient(`${cp!.url}/v1/agent-events?agentRunUid=idle-${i + j}`, () => undefined),
      );
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.opened));
    }
    await sleep(3000);
    const after = rssMiB(cpPid);
    const perConnKiB = ((after - before) * 1024) / IDLE;
    clients.forEach((c) => c.close());
    console.log(`Idle: ${IDLE} subscribers, control plane RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`);
    gate(
      'P9 idle subscribers',
      perConnKiB <= 40,
      `${perConnKiB.toFixed(1)} KiB RSS per idle subscriber (goal ≤ 40 KiB)`,
    );
  }
} finally {
  console.log('\nConditions:');
  for (const [k, v] of Object.entries(
    conditions({
      'P8 load': `${RUNS} runs, ${RATE} events/s offered for ${SECONDS} s after a ${WARMUP} s warm-up at that rate, ${IN_FLIGHT} publishes in flight`,
      'P9 load': `${SUBSCRIBERS} namespace subscribers, ${FANOUT_RATE} events/s for ${FANOUT_SECONDS} s`,
      'control plane': `${Object.entries(CP_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}, other settings default`,
      'control plane node flags': controlPlaneNodeFlags(),
      'one machine': `load generator, SSE clients, control plane, nats-server and Postgres share ${cpuCount} CPUs`,
    }),
  ))
    console.log(`  ${k}: ${v}`);
  console.log('\nResults:');
  for (const r of results) console.log(`  ${r}`);
  await nc.close();
  await cp?.kill();
  await nats.stop();
  await db.drop();
}
process.exit(failures ? 1 : 0);
