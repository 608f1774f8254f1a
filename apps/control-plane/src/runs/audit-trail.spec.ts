import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditTrail, HttpAuditSink, StdoutAuditSink, auditDocument, type AuditEvent } from './audit-trail.js';
import type { AuditRepository } from './audit.repository.js';

const at = new Date('2026-12-07T10:00:00.000Z');
const event: AuditEvent = { actor: 'agentctl', action: 'submit', kind: 'AgentRun', namespace: 'team-a', name: 'fix-1' };
const doc = {
  type: 'audit',
  occurredAt: '2026-12-07T10:00:00.000Z',
  actor: 'agentctl',
  action: 'submit',
  kind: 'AgentRun',
  namespace: 'team-a',
  name: 'fix-1',
  details: null,
};

/** A real HTTP server on loopback that answers each request with the next status (and may hang). */
async function auditServer(answers: (number | 'hang')[]) {
  const received: { headers: IncomingMessage['headers']; body: unknown }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) as unknown });
      const answer = answers.shift() ?? 204;
      if (answer !== 'hang') res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function recordingRepository(fail = false) {
  const rows: AuditEvent[] = [];
  const repository = {
    record: (e: AuditEvent) =>
      fail ? Promise.reject(new Error('postgres is down')) : (rows.push(e), Promise.resolve()),
  } as unknown as AuditRepository;
  return { rows, repository };
}

describe('the audit trail', () => {
  it('describes an event as one JSON document with nulls for what it does not name', () => {
    expect(auditDocument(event, at)).toEqual(doc);
    expect(auditDocument({ actor: 'agentctl', action: 'apply', details: { dryRun: true } }, at)).toMatchObject({
      kind: null,
      details: { dryRun: true },
    });
  });

  it('writes one line per event to standard output with the stdout sink', async () => {
    const lines: string[] = [];
    await new StdoutAuditSink((l) => lines.push(l)).send(doc);
    expect(lines).toEqual([`${JSON.stringify(doc)}\n`]);
  });

  it('POSTs the event with the configured headers to the http sink', async () => {
    const server = await auditServer([200]);
    try {
      await new HttpAuditSink({
        type: 'http',
        url: server.url,
        headers: { authorization: 'Bearer t' },
        timeoutMs: 2000,
      }).send(doc);
      expect(server.received).toEqual([
        {
          headers: expect.objectContaining({ authorization: 'Bearer t', 'content-type': 'application/json' }),
          body: doc,
        },
      ]);
    } finally {
      await server.close();
    }
  });

  it('fails an http send on a non-2xx answer and on no answer within the timeout', async () => {
    const server = await auditServer([503, 'hang']);
    const sink = new HttpAuditSink({ type: 'http', url: `${server.url}?token=s3cret`, headers: {}, timeoutMs: 200 });
    try {
      // The error names the origin and path, never the query (it may hold a token).
      await expect(sink.send(doc)).rejects.toThrow(new Error(`${server.url} answered 503`));
      await expect(sink.send(doc)).rejects.toThrow(/aborted|timeout/i);
    } finally {
      await server.close();
    }
  });

  it('stores the event first, then copies it to the sink; a sink that fails is counted, never thrown', async () => {
    const order: string[] = [];
    const repository = {
      record: async (e: AuditEvent) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(`stored ${e.action}`);
      },
    } as unknown as AuditRepository;
    const sent: unknown[] = [];
    let errors = 0;
    const sink = {
      send: (d: Record<string, unknown>) => {
        order.push(`sent ${String(d.action)}`);
        sent.push(d);
        return Promise.resolve();
      },
    };
    await new AuditTrail(
      repository,
      sink,
      () => errors++,
      () => at,
    ).record(event);
    expect({ order, sent, errors }).toEqual({ order: ['stored submit', 'sent submit'], sent: [doc], errors: 0 });

    const failing = new AuditTrail(repository, { send: () => Promise.reject(new Error('503')) }, () => errors++);
    await expect(failing.record(event)).resolves.toBeUndefined();
    expect({ stored: order.filter((o) => o.startsWith('stored')).length, errors }).toEqual({ stored: 2, errors: 1 });
  });

  it('sends nothing when Postgres did not store the event (the caller logs that failure)', async () => {
    const { repository } = recordingRepository(true);
    const sent: unknown[] = [];
    const trail = new AuditTrail(repository, { send: (d) => (sent.push(d), Promise.resolve()) });
    await expect(trail.record(event)).rejects.toThrow('postgres is down');
    expect(sent).toEqual([]);
  });
});
