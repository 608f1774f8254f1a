import { EventSequencer } from './event.builder.js';

const scope = {
  subjectPrefix: 'workflow.agents.fix-bug-1.3f1c.agent.coder.',
  agentId: 'coder',
  agentRun: { name: 'fix-bug-1', uid: '3f1c', namespace: 'agents' },
  runnerId: 'fix-bug-1-job-abcde',
};
const now = new Date('2026-01-02T03:04:05.000Z');

describe('EventSequencer', () => {
  it('numbers events from 1 and derives message ids that a retried pod cannot repeat', () => {
    const seq = new EventSequencer(scope);
    const events = [seq.lifecycle('started', 'started /bin/sh', {}, now), seq.output('stdout', 'hello', now)];
    expect(events.map((e) => [e.message.seq, e.message.message_id])).toEqual([
      [1, '3f1c:fix-bug-1-job-abcde:1'],
      [2, '3f1c:fix-bug-1-job-abcde:2'],
    ]);
    expect(
      new EventSequencer({ ...scope, runnerId: 'fix-bug-1-job-fghij' }).output('stdout', 'x', now).message.message_id,
    ).toBe('3f1c:fix-bug-1-job-fghij:1');
    expect(seq.last).toBe(2);
  });

  it('publishes output lines as assistant messages on the output subject', () => {
    expect(new EventSequencer(scope).output('stderr', 'warning: x', now)).toEqual({
      subject: 'workflow.agents.fix-bug-1.3f1c.agent.coder.output',
      message: {
        message_id: '3f1c:fix-bug-1-job-abcde:1',
        timestamp: '2026-01-02T03:04:05.000Z',
        kind: 'output',
        role: 'assistant',
        content: 'warning: x',
        agent_run_uid: '3f1c',
        agent_run_name: 'fix-bug-1',
        agent_run_namespace: 'agents',
        agent_id: 'coder',
        seq: 1,
        attrs: { stream: 'stderr', runner_id: 'fix-bug-1-job-abcde' },
      },
    });
  });

  it('publishes lifecycle steps as system messages on the status subject', () => {
    const event = new EventSequencer(scope).lifecycle('exited', 'exited with code 3', { exit_code: 3 }, now);
    expect(event.subject).toBe('workflow.agents.fix-bug-1.3f1c.agent.coder.status');
    expect(event.message).toMatchObject({
      kind: 'status',
      role: 'system',
      content: 'exited with code 3',
      attrs: { phase: 'exited', exit_code: 3, runner_id: 'fix-bug-1-job-abcde' },
    });
  });
});
