import { parseSubject } from '@agents/nats';

/** A row of agent_events, ready to insert. */
export interface EventRow {
  dedupe_key: string;
  subject: string;
  kind: string;
  role: string;
  content: string;
  agent_run_uid: string | null;
  agent_run_name: string | null;
  agent_run_namespace: string | null;
  agent_id: string | null;
  step_id: string | null;
  run_id: string | null;
  channel: string | null;
  stage: string | null;
  seq: number | null;
  attrs: Record<string, unknown> | null;
  message_timestamp: Date;
}

export type ParseResult = { ok: true; row: EventRow } | { ok: false; reason: string };

export interface IncomingMessage {
  subject: string;
  data: Uint8Array;
  /** JetStream headers (Nats-Msg-Id). */
  msgId?: string;
  /** Stream sequence: identifies a message that carries no id of its own. */
  streamSeq: number;
  /** When JetStream stored it: the timestamp of a message that carries none. */
  receivedAt: Date;
}

const MAX_CONTENT = 256 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

type Obj = Record<string, unknown>;
/** A non-empty string (numbers as text), storable in Postgres. */
const str = (v: unknown): string | undefined => {
  const s = typeof v === 'string' ? storableText(v) : typeof v === 'number' ? String(v) : undefined;
  return s || undefined;
};

/** How deep attrs may nest: deeper ones are refused (Postgres jsonb and JSON.stringify both have depth limits). */
export const MAX_ATTRS_DEPTH = 32;

/** Text as Postgres stores it: no NUL characters (text and jsonb refuse them), no unpaired surrogates (jsonb refuses them). */
export function storableText(s: string): string {
  return s.replaceAll('\u0000', '').toWellFormed();
}

class TooDeep extends Error {}

/** A JSON value with every string (keys too) made storable; throws TooDeep past MAX_ATTRS_DEPTH levels. */
function storableJson(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return storableText(v);
  if (!v || typeof v !== 'object') return v;
  if (depth >= MAX_ATTRS_DEPTH) throw new TooDeep();
  if (Array.isArray(v)) return v.map((x) => storableJson(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), storableJson(x, depth + 1)]));
}

/** The first present field among several spellings (snake_case and camelCase). */
function pick(o: Obj, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}

/**
 * Parses one agent message (REFERENCE §7.4 field rules, our subjects): JSON object at the root or under `message`
 * or `data`, snake or camel case; kind defaults to the subject's, role to system for status/error messages and
 * assistant otherwise; content is required (a status message defaults to "status update"). Never throws.
 */
export function parseAgentMessage(m: IncomingMessage): ParseResult {
  let text: string;
  try {
    text = decoder.decode(m.data);
  } catch {
    return { ok: false, reason: 'payload is not valid UTF-8' };
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    // The parser quotes the payload, which may hold NUL characters.
    return {
      ok: false,
      reason: storableText(`payload is not JSON: ${err instanceof Error ? err.message : String(err)}`),
    };
  }
  if (!root || typeof root !== 'object' || Array.isArray(root))
    return { ok: false, reason: 'payload is not a JSON object' };
  const outer = root as Obj;
  const wrapper = (['message', 'data'] as const).find(
    (k) => outer[k] && typeof outer[k] === 'object' && !Array.isArray(outer[k]),
  );
  // The wrapper's fields win over the root's; the wrapper object itself is not content.
  const o: Obj = wrapper ? { ...outer, [wrapper]: undefined, ...(outer[wrapper] as Obj) } : outer;
  const subject = parseSubject(m.subject);
  const kind = str(pick(o, 'kind', 'type')) ?? subject?.kind ?? 'message';
  const role = str(pick(o, 'role')) ?? (kind === 'status' || kind === 'error' ? 'system' : 'assistant');
  let content = pick(o, 'content', 'text', 'message', 'status', 'error');
  if (typeof content === 'string') content = storableText(content);
  else if (content !== undefined) {
    try {
      content = JSON.stringify(content);
    } catch {
      return { ok: false, reason: 'message content is nested too deeply to store' };
    }
  }
  if (content === undefined || content === '') {
    if (kind === 'status') content = 'status update';
    else return { ok: false, reason: 'message has no content (expected one of content, text, message, status, error)' };
  }
  const rawTimestamp = str(pick(o, 'timestamp', 'sent_at', 'sentAt', 'created_at', 'createdAt'));
  const parsedTime = rawTimestamp ? new Date(rawTimestamp) : undefined;
  const timestamp = parsedTime && !Number.isNaN(parsedTime.getTime()) ? parsedTime : m.receivedAt;
  const messageId = str(pick(o, 'message_id', 'messageId', 'id')) ?? m.msgId ?? `stream-seq-${m.streamSeq}`;
  const run = subject?.scope === 'run' ? subject : undefined;
  const rawSeq = pick(o, 'seq', 'sequence');
  const seq = typeof rawSeq === 'number' && Number.isInteger(rawSeq) && rawSeq >= 0 && rawSeq < 2 ** 31 ? rawSeq : null;
  const attrsIn = pick(o, 'attrs', 'attributes', 'meta');
  const attrs: Obj = attrsIn && typeof attrsIn === 'object' && !Array.isArray(attrsIn) ? { ...(attrsIn as Obj) } : {};
  for (const [key, names] of Object.entries({
    runtime: ['runtime'],
    tool: ['tool', 'tool_call', 'toolCall'],
    exitCode: ['exit_code', 'exitCode'],
    repository: ['repository'],
    issueNumber: ['issueNumber', 'issue_number'],
    branch: ['branch'],
  })) {
    const v = pick(o, ...names);
    if (v !== undefined) attrs[key] = v;
  }
  let storableAttrs: Obj;
  try {
    storableAttrs = storableJson(attrs) as Obj;
  } catch (err) {
    if (!(err instanceof TooDeep)) throw err;
    return { ok: false, reason: `message attrs nest deeper than ${MAX_ATTRS_DEPTH} levels` };
  }
  const body = String(content);
  return {
    ok: true,
    row: {
      dedupe_key: `${m.subject}:${messageId}`,
      subject: m.subject,
      kind,
      role,
      content: body.length > MAX_CONTENT ? `${body.slice(0, MAX_CONTENT)}… [truncated]` : body,
      agent_run_uid: str(pick(o, 'agent_run_uid', 'agentRunUid')) ?? run?.uid ?? null,
      agent_run_name: str(pick(o, 'agent_run_name', 'agentRunName')) ?? run?.workflow ?? null,
      agent_run_namespace: str(pick(o, 'agent_run_namespace', 'agentRunNamespace')) ?? run?.namespace ?? null,
      agent_id: str(pick(o, 'agent_id', 'agentId')) ?? run?.agentId ?? null,
      step_id: str(pick(o, 'step_id', 'stepId')) ?? null,
      run_id: str(pick(o, 'run_id', 'runId')) ?? null,
      channel: str(pick(o, 'channel')) ?? null,
      stage: str(pick(o, 'stage')) ?? null,
      seq,
      attrs: Object.keys(storableAttrs).length ? storableAttrs : null,
      message_timestamp: timestamp,
    },
  };
}
