import { MAX_ATTRS_DEPTH, parseAgentMessage, type IncomingMessage } from './event-parser.js';

const received = new Date('2026-01-01T00:00:00Z');
const msg = (subject: string, body: unknown, extra: Partial<IncomingMessage> = {}): IncomingMessage => ({
  subject,
  data: typeof body === 'string' ? new TextEncoder().encode(body) : new TextEncoder().encode(JSON.stringify(body)),
  streamSeq: 7,
  receivedAt: received,
  ...extra,
});
const runSubject = 'workflow.agents.fix-1.uid-1.agent.codex.output';

describe('parseAgentMessage', () => {
  it('reads our own message shape and fills the run from the subject', () => {
    const r = parseAgentMessage(
      msg(runSubject, {
        message_id: 'm1',
        timestamp: '2026-02-02T00:00:00Z',
        kind: 'output',
        role: 'assistant',
        content: 'hi',
        seq: 3,
        attrs: { stream: 'stdout' },
      }),
    );
    expect(r).toEqual({
      ok: true,
      row: expect.objectContaining({
        dedupe_key: `${runSubject}:m1`,
        kind: 'output',
        role: 'assistant',
        content: 'hi',
        agent_run_uid: 'uid-1',
        agent_run_name: 'fix-1',
        agent_run_namespace: 'agents',
        agent_id: 'codex',
        seq: 3,
        attrs: { stream: 'stdout' },
        message_timestamp: new Date('2026-02-02T00:00:00Z'),
      }),
    });
  });

  it.each([
    [
      'camelCase fields nested under data',
      { data: { messageId: 'x', agentRunUid: 'u2', text: 'hello' } },
      { dedupe_key: `${runSubject}:x`, agent_run_uid: 'u2', content: 'hello' },
    ],
    [
      'fields nested under message',
      { message: { id: 'y', status: 'running' } },
      { content: 'running', dedupe_key: `${runSubject}:y` },
    ],
    ['a status kind without content', { kind: 'status' }, { content: 'status update', role: 'system' }],
    [
      'an error kind defaults to the system role',
      { kind: 'error', error: 'boom' },
      { role: 'system', content: 'boom' },
    ],
    ['no kind takes the subject kind', { content: 'c' }, { kind: 'output', role: 'assistant' }],
    ['no id uses the JetStream message id', { content: 'c' }, { dedupe_key: `${runSubject}:stream-seq-7` }],
    [
      'an unparsable timestamp uses the arrival time',
      { content: 'c', timestamp: 'yesterday' },
      { message_timestamp: received },
    ],
    [
      'extra known fields land in attrs',
      { content: 'c', exit_code: 3, tool_call: { name: 'x' } },
      { attrs: { exitCode: 3, tool: { name: 'x' } } },
    ],
    ['a non-string content is stored as JSON', { content: { a: 1 } }, { content: '{"a":1}' }],
  ])('accepts %s', (_c, body, want) => {
    const r = parseAgentMessage(msg(runSubject, body));
    expect(r.ok && r.row).toMatchObject(want);
  });

  it('uses the Nats-Msg-Id header when the body has no id', () => {
    const r = parseAgentMessage(msg(runSubject, { content: 'c' }, { msgId: 'hdr-1' }));
    expect(r.ok && r.row.dedupe_key).toBe(`${runSubject}:hdr-1`);
  });

  it('reads a general subject without a run', () => {
    const r = parseAgentMessage(msg('workflow.general.status', { content: 'ok' }));
    expect(r.ok && [r.row.kind, r.row.agent_run_uid]).toEqual(['status', null]);
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['a JSON array', '[1,2]', /not a JSON object/],
    ['JSON null', 'null', /not a JSON object/],
    ['no content', '{"kind":"output"}', /has no content/],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe]), /not valid UTF-8/],
  ])('rejects %s with the reason', (_c, body, reason) => {
    const m = body instanceof Uint8Array ? { ...msg(runSubject, ''), data: body } : msg(runSubject, body);
    const r = parseAgentMessage(m);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('truncates very long content', () => {
    const r = parseAgentMessage(msg(runSubject, { content: 'x'.repeat(300_000) }));
    expect(r.ok && r.row.content.endsWith('[truncated]')).toBe(true);
  });
});

describe('parseAgentMessage makes what it accepts storable in Postgres', () => {
  const deep = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;

  it('drops NUL characters from every text field (text and jsonb refuse them)', () => {
    const r = parseAgentMessage(
      msg(runSubject, {
        message_id: 'm\u00001',
        content: 'a\u0000b',
        kind: 'out\u0000put',
        role: '\u0000',
        channel: 'c\u0000',
        attrs: { 'k\u0000': ['v\u0000', { deeper: '\u0000x' }] },
      }),
    );
    expect(r.ok && r.row).toMatchObject({
      dedupe_key: `${runSubject}:m1`,
      content: 'ab',
      kind: 'output',
      role: 'assistant',
      channel: 'c',
      attrs: { k: ['v', { deeper: 'x' }] },
    });
  });

  it('replaces unpaired surrogates (jsonb refuses them) and keeps paired ones', () => {
    const r = parseAgentMessage(msg(runSubject, { content: 'x\ud800y 😀', attrs: { s: '\udfff' } }));
    expect(r.ok && [r.row.content, r.row.attrs]).toEqual(['x\ufffdy 😀', { s: '\ufffd' }]);
  });

  it('treats content that is only NUL characters as missing', () => {
    const r = parseAgentMessage(msg(runSubject, { content: '\u0000\u0000' }));
    expect(!r.ok && r.reason).toMatch(/has no content/);
  });

  it(`accepts attrs ${MAX_ATTRS_DEPTH} levels deep and dead-letters deeper ones with the reason`, () => {
    expect(parseAgentMessage(msg(runSubject, { content: 'c', attrs: deep(MAX_ATTRS_DEPTH) })).ok).toBe(true);
    const r = parseAgentMessage(msg(runSubject, { content: 'c', attrs: deep(MAX_ATTRS_DEPTH + 1) }));
    expect(!r.ok && r.reason).toBe(`message attrs nest deeper than ${MAX_ATTRS_DEPTH} levels`);
    const tool = parseAgentMessage(msg(runSubject, { content: 'c', tool: deep(1000) }));
    expect(tool.ok).toBe(false);
  });

  it('stores an object content as JSON text, and dead-letters one too deep to serialise', () => {
    const r = parseAgentMessage(msg(runSubject, { content: { a: [1, '\u0000'] } }));
    expect(r.ok && r.row.content).toBe('{"a":[1,"\\u0000"]}');
    const body = `{"content":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const tooDeep = parseAgentMessage(msg(runSubject, body));
    expect(tooDeep.ok).toBe(false);
    expect(!tooDeep.ok && tooDeep.reason).toMatch(/payload is not JSON|nested too deeply/);
  });

  it('quotes no NUL character of the payload in the reason it is not JSON', () => {
    const r = parseAgentMessage(msg(runSubject, '\u0000{'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^payload is not JSON/);
    expect(!r.ok && r.reason.includes('\u0000')).toBe(false);
  });

  it('never throws, whatever the bytes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const data = Uint8Array.from({ length: seed * 7 }, (_, i) => (i * 31 + seed * 17) % 256);
      expect(() => parseAgentMessage({ ...msg(runSubject, ''), data })).not.toThrow();
    }
  });
});
