import { eventually } from '@agents/testing';
import { EventSequencer, type RunnerEvent } from './event.builder.js';
import { EventPublisher, type EventTransport } from './event.publisher.js';

const scope = {
  subjectPrefix: 'workflow.ns.run.uid.agent.a.',
  agentId: 'a',
  agentRun: { name: 'run', uid: 'uid', namespace: 'ns' },
  runnerId: 'pod',
};
const now = new Date('2026-01-01T00:00:00Z');

/** A JetStream stand-in: stores what it acknowledges, fails while `down`, dedupes by message id like JetStream. */
class FakeJetStream {
  down = false;
  connects = 0;
  attempts: string[] = [];
  stored: string[] = [];

  connect = async (): Promise<EventTransport> => {
    if (this.down) throw new Error('connection refused');
    this.connects += 1;
    let closed = false;
    return {
      get closed() {
        return closed;
      },
      publish: async (_subject, _data, id) => {
        this.attempts.push(id);
        if (this.down) {
          closed = true;
          throw new Error('timeout');
        }
        if (!this.stored.includes(id)) this.stored.push(id);
      },
      close: async () => {
        closed = true;
      },
    };
  };
}

function lines(n: number, seq = new EventSequencer(scope)): RunnerEvent[] {
  return Array.from({ length: n }, (_, i) => seq.output('stdout', `line ${i + 1}`, now));
}

const quiet = { warn: () => undefined, retryMinMs: 1, retryMaxMs: 5 };

describe('EventPublisher', () => {
  it('delivers events in the order they were published', async () => {
    const js = new FakeJetStream();
    const publisher = new EventPublisher(js.connect, { bufferSize: 100, ...quiet });
    const events = lines(20);
    for (const e of events) publisher.publish(e);
    expect(await publisher.close(5000)).toEqual({ delivered: 20, undelivered: 0, dropped: 0 });
    expect(js.stored).toEqual(events.map((e) => e.message.message_id));
  });

  it('holds events while NATS is down and delivers them, in order and once, when it is back', async () => {
    const js = new FakeJetStream();
    js.down = true;
    const warnings: string[] = [];
    const publisher = new EventPublisher(js.connect, { ...quiet, bufferSize: 100, warn: (m) => warnings.push(m) });
    const events = lines(10);
    for (const e of events.slice(0, 5)) publisher.publish(e);
    await eventually(() => expect(warnings[0]).toMatch(/publishing to NATS failed \(5 events waiting, retrying\)/));
    js.down = false;
    for (const e of events.slice(5)) publisher.publish(e);
    await publisher.close(5000);
    expect(js.stored).toEqual(events.map((e) => e.message.message_id));
  });

  it('reconnects after losing the connection and retries with the same message id', async () => {
    const js = new FakeJetStream();
    const publisher = new EventPublisher(js.connect, { bufferSize: 100, ...quiet });
    const [first, second] = lines(2);
    publisher.publish(first!);
    await eventually(() => expect(js.stored).toHaveLength(1));
    js.down = true;
    publisher.publish(second!);
    await eventually(() =>
      expect(js.attempts.filter((a) => a === second!.message.message_id).length).toBeGreaterThan(0),
    );
    js.down = false;
    await publisher.close(5000);
    expect(js.stored).toEqual([first!.message.message_id, second!.message.message_id]);
    expect(js.connects).toBe(2);
  });

  it('drops the oldest output when the buffer is full, never a lifecycle event, and counts drops', async () => {
    const js = new FakeJetStream();
    js.down = true;
    const publisher = new EventPublisher(js.connect, { bufferSize: 3, ...quiet });
    const seq = new EventSequencer(scope);
    const started = seq.lifecycle('started', 'started', {}, now);
    const [a, b, c] = lines(3, seq);
    const exited = seq.lifecycle('exited', 'exited', {}, now);
    for (const e of [started, a!, b!, c!, exited]) publisher.publish(e);
    expect(publisher.dropped).toBe(2);
    js.down = false;
    expect(await publisher.close(5000)).toMatchObject({ undelivered: 0, dropped: 2 });
    expect(js.stored).toEqual([started, c!, exited].map((e) => e.message.message_id));
  });

  it('gives up after the flush timeout and says how many events were not delivered', async () => {
    const js = new FakeJetStream();
    js.down = true;
    const publisher = new EventPublisher(js.connect, { bufferSize: 100, ...quiet });
    for (const e of lines(4)) publisher.publish(e);
    expect(await publisher.close(100)).toEqual({ delivered: 0, undelivered: 4, dropped: 0 });
  });
});
