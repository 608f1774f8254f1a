/** Reads a run's events back from the agent-comms stream through a consumer of its own (deleted afterwards). */
import { AGENT_COMMS_STREAM, type AgentMessage } from '@agents/nats';
import { eventually, uniqueName } from '@agents/testing';
import { AckPolicy, DeliverPolicy, type NatsConnection } from 'nats';

export type StoredEvent = AgentMessage & { subject: string };

export async function readRunEvents(nc: NatsConnection, subjectPrefix: string, want: number): Promise<StoredEvent[]> {
  const jsm = await nc.jetstreamManager();
  const name = uniqueName('agent-runner-it');
  await jsm.consumers.add(AGENT_COMMS_STREAM.name, {
    durable_name: name,
    filter_subject: `${subjectPrefix}>`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  try {
    // num_pending counts every stored message under the filter: all of the run's events, duplicates included.
    const pending = await eventually(
      async () => {
        const { num_pending } = await jsm.consumers.info(AGENT_COMMS_STREAM.name, name);
        expect(num_pending).toBeGreaterThanOrEqual(want);
        return num_pending;
      },
      { what: `${want} events under ${subjectPrefix}` },
    );
    const consumer = await nc.jetstream().consumers.get(AGENT_COMMS_STREAM.name, name);
    const events: StoredEvent[] = [];
    for await (const m of await consumer.fetch({ max_messages: pending, expires: 5000 })) {
      events.push({ subject: m.subject, ...(m.json() as AgentMessage) });
      if (events.length === pending) break;
    }
    return events;
  } finally {
    await jsm.consumers.delete(AGENT_COMMS_STREAM.name, name);
  }
}
