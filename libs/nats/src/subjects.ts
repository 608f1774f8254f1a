/**
 * The only place NATS subjects are spelled. Run-scoped agent messages:
 *   workflow.<namespace>.<workflow>.<uid>.agent.<agentId>.<kind>   (<workflow> = AgentRun name, <uid> = its uid)
 * General messages:
 *   workflow.general.<kind>
 * The legacy prefix `agents.workflow.` is accepted when parsing (never produced).
 */
export const SUBJECT_ROOT = 'workflow';
export const LEGACY_SUBJECT_ROOT = 'agents.workflow';
/** Everything the control plane ingests. */
export const INGEST_SUBJECTS = [`${SUBJECT_ROOT}.>`, `${LEGACY_SUBJECT_ROOT}.>`] as const;

export interface RunSubject {
  namespace: string;
  workflow: string;
  uid: string;
  agentId: string;
  kind: string;
}

export type ParsedSubject =
  ({ scope: 'run'; legacy: boolean } & RunSubject) | { scope: 'general'; legacy: boolean; kind: string };

const TOKEN = /^[^.\s*>]+$/;

function token(name: string, value: string): string {
  if (!TOKEN.test(value)) {
    throw new Error(
      `invalid NATS subject token ${name}=${JSON.stringify(value)}: expected a non-empty value without '.', '*', '>' or spaces`,
    );
  }
  return value;
}

/** Makes any text usable as one subject token: '.', '*', '>' and whitespace become '_'. */
export function subjectToken(value: string): string {
  return value.replace(/[.*>\s]/g, '_') || '_';
}

export function runSubject(s: RunSubject): string {
  return [
    SUBJECT_ROOT,
    token('namespace', s.namespace),
    token('workflow', s.workflow),
    token('uid', s.uid),
    'agent',
    token('agentId', s.agentId),
    token('kind', s.kind),
  ].join('.');
}

export function generalSubject(kind: string): string {
  return `${SUBJECT_ROOT}.general.${token('kind', kind)}`;
}

/** Parses a subject of either family (current or legacy); undefined when it is neither. */
export function parseSubject(subject: string): ParsedSubject | undefined {
  let rest: string;
  let legacy = false;
  if (subject.startsWith(`${LEGACY_SUBJECT_ROOT}.`)) {
    rest = subject.slice(LEGACY_SUBJECT_ROOT.length + 1);
    legacy = true;
  } else if (subject.startsWith(`${SUBJECT_ROOT}.`)) {
    rest = subject.slice(SUBJECT_ROOT.length + 1);
  } else {
    return undefined;
  }
  const parts = rest.split('.');
  if (parts.length === 2 && parts[0] === 'general' && parts[1]) return { scope: 'general', legacy, kind: parts[1] };
  if (parts.length === 6 && parts[3] === 'agent' && parts.every(Boolean)) {
    const [namespace, workflow, uid, , agentId, kind] = parts as [string, string, string, string, string, string];
    return { scope: 'run', legacy, namespace, workflow, uid, agentId, kind };
  }
  return undefined;
}
