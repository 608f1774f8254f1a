import { generalSubject, parseSubject, runSubject, subjectToken } from './subjects.js';

const run = { namespace: 'agents', workflow: 'fix-bug-1', uid: '3f1c', agentId: 'codex', kind: 'output' };

describe('subjects', () => {
  it('spells the run-scoped subject of the seed', () => {
    expect(runSubject(run)).toBe('workflow.agents.fix-bug-1.3f1c.agent.codex.output');
  });

  it('spells the general subject', () => {
    expect(generalSubject('status')).toBe('workflow.general.status');
  });

  it('round-trips a run subject through the parser', () => {
    expect(parseSubject(runSubject(run))).toEqual({ scope: 'run', legacy: false, ...run });
  });

  it.each([
    [
      'a legacy run subject',
      'agents.workflow.ns.wf.uid.agent.a.status',
      { scope: 'run', legacy: true, namespace: 'ns', workflow: 'wf', uid: 'uid', agentId: 'a', kind: 'status' },
    ],
    ['a legacy general subject', 'agents.workflow.general.error', { scope: 'general', legacy: true, kind: 'error' }],
    ['a subject of another family', 'agentrun.ns.run.uid.agent.a.status', undefined],
    ['a run subject missing its agent marker', 'workflow.ns.wf.uid.bot.a.status', undefined],
    ['a truncated subject', 'workflow.ns.wf', undefined],
  ])('parses %s', (_case, subject, want) => {
    expect(parseSubject(subject)).toEqual(want);
  });

  it('refuses tokens that would change the subject structure, naming the field', () => {
    expect(() => runSubject({ ...run, workflow: 'a.b' })).toThrow(/workflow="a.b"/);
    expect(() => generalSubject('>')).toThrow(/kind=">"/);
  });
});

describe('subjectToken', () => {
  it('turns a dotted run name into one token', () => {
    expect(subjectToken('fix.bug 1>*')).toBe('fix_bug_1__');
    expect(runSubject({ ...run, workflow: subjectToken('a.b') })).toBe('workflow.agents.a_b.3f1c.agent.codex.output');
  });
});
