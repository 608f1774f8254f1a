import { AGENT_COMMS_STREAM } from '@agents/nats';
import { PrivateNats, eventually } from '@agents/testing';
import { connect } from 'nats';
import { IngestService } from '../src/events/ingest.service.js';
import { Publisher, message, recordingIngest, subjectOf, type RunRef } from './harness.js';

// JANGAR_AGENT_COMMS_SUBJECTS and JANGAR_AGENT_COMMS_CONSUMER on a real NATS: the durable takes only its subjects,
// and follows a changed list without being recreated. The repository records what would be stored.
let nats: PrivateNats;
let publisher: Publisher;
const { stored, repository, metrics } = recordingIngest();
const teamA: RunRef = { namespace: 'team-a', name: 'fix-1', uid: 'uid-a' };
const teamB: RunRef = { namespace: 'team-b', name: 'fix-2', uid: 'uid-b' };

const ingest = (subjects: string[]) =>
  new IngestService({ url: nats.url, consumer: 'release-x-agent-comms', subjects, batchSize: 50 }, repository, metrics);

beforeAll(async () => {
  nats = await PrivateNats.start();
  publisher = await Publisher.connect(nats.url);
}, 30_000);

afterAll(async () => {
  await publisher?.close();
  await nats?.stop();
});

it('consumes only the configured subjects, and follows a changed list', async () => {
  const first = ingest(['workflow.team-a.>']);
  first.start();
  await publisher.publish(subjectOf(teamA, 'output'), message(teamA, 1));
  await publisher.publish(subjectOf(teamB, 'output'), message(teamB, 1));
  await eventually(() => expect(stored.map((r) => r.agent_run_uid)).toEqual(['uid-a']));
  await first.stop();

  const nc = await connect({ servers: nats.url });
  const before = await (await nc.jetstreamManager()).consumers.info(AGENT_COMMS_STREAM.name, 'release-x-agent-comms');
  expect(before.config.filter_subject).toBe('workflow.team-a.>');

  const second = ingest(['workflow.team-b.>']);
  second.start();
  await publisher.publish(subjectOf(teamB, 'output'), message(teamB, 2));
  await eventually(() => expect(stored.map((r) => r.content)).toContain('line 2'));
  await second.stop();
  const after = await (await nc.jetstreamManager()).consumers.info(AGENT_COMMS_STREAM.name, 'release-x-agent-comms');
  expect(after.config.filter_subject).toBe('workflow.team-b.>');
  expect(after.created).toEqual(before.created);
  expect(stored.filter((r) => r.agent_run_uid === 'uid-a')).toHaveLength(1);
  await nc.close();
}, 30_000);
