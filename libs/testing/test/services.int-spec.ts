import { AckPolicy, type NatsConnection, StringCodec } from 'nats';
import pg from 'pg';
import { connectTestNats, createTestDatabase, uniqueName, type TestDatabase } from '../src/index.js';

describe('Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('smoke');
  });
  afterAll(() => db.drop());

  it('gives each test file a database of its own to write and read', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id int primary key, v text)');
      await client.query('INSERT INTO t VALUES ($1, $2)', [1, 'one']);
      const { rows } = await client.query<{ v: string; db: string }>('SELECT v, current_database() AS db FROM t');
      expect(rows).toEqual([{ v: 'one', db: db.name }]);
    } finally {
      await client.end();
    }
  });
});

describe('NATS JetStream', () => {
  let nc: NatsConnection;
  const stream = uniqueName('SMOKE').toUpperCase().replace(/-/g, '_');
  const subject = `${stream.toLowerCase()}.events`;

  beforeAll(async () => {
    nc = await connectTestNats();
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
  });

  it('publishes to a stream, consumes with a durable consumer, and acks', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${subject}`] });
    await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
    const js = nc.jetstream();
    const sc = StringCodec();
    const ack1 = await js.publish(subject, sc.encode('one'), { msgID: 'm1' });
    const dup = await js.publish(subject, sc.encode('one again'), { msgID: 'm1' });
    expect(dup.duplicate).toBe(true);
    expect(dup.seq).toBe(ack1.seq);

    const consumer = await js.consumers.get(stream, 'reader');
    const msg = await consumer.next({ expires: 5000 });
    expect(msg && sc.decode(msg.data)).toBe('one');
    await msg?.ackAck();
    const info = await consumer.info();
    expect(info.num_ack_pending).toBe(0);
    expect(info.delivered.stream_seq).toBe(ack1.seq);
  });
});
