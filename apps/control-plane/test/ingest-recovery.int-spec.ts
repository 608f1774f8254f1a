import { PrivateNats, eventually } from '@agents/testing';
import { connect, type NatsConnection } from 'nats';
import { IngestService } from '../src/events/ingest.service.js';
import { Publisher, message, recordingIngest, subjectOf, type RunRef } from './harness.js';

// The ingest on a real NATS when setting up its stream fails after it has connected: it must set the stream and the
// consumer up again on the open connection, not go on as if they existed. The repository records what is stored.
let nats: PrivateNats;
let nc: NatsConnection;
const { stored, repository, metrics } = recordingIngest();
const run: RunRef = { namespace: 'team-a', name: 'fix-1', uid: 'uid-a' };

beforeAll(async () => {
  nats = await PrivateNats.start();
  nc = await connect({ servers: nats.url });
}, 30_000);

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

it('sets its stream up again once a stream that overlapped its subjects is gone, and then ingests', async () => {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: 'someone-elses', subjects: ['workflow.>'] });
  const ingest = new IngestService(
    { url: nats.url, consumer: 'agents-agent-comms', subjects: [], batchSize: 50 },
    repository,
    metrics,
  );
  ingest.start();
  try {
    await eventually(() => expect(ingest.lastError).toMatch(/overlap/), { what: 'the stream to be refused' });
    expect(ingest.connected).toBe(false);

    await jsm.streams.delete('someone-elses');
    await eventually(() => expect(ingest.connected).toBe(true), { timeoutMs: 20_000, what: 'the ingest to consume' });
    const publisher = await Publisher.connect(nats.url);
    await publisher.publish(subjectOf(run, 'output'), message(run, 1));
    await publisher.close();
    await eventually(() => expect(stored.map((r) => r.agent_run_uid)).toEqual(['uid-a']), { what: 'the event stored' });
  } finally {
    await ingest.stop();
  }
}, 40_000);
