import { eventually, uniqueName } from './eventually.js';

describe('eventually', () => {
  it('returns the value once the check stops throwing', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('times out with what it waited for and the last failure', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('phase is Running');
        },
        { timeoutMs: 30, intervalMs: 5, what: 'AgentRun r1 to be Succeeded' },
      ),
    ).rejects.toThrow(/timed out after 30 ms waiting for AgentRun r1 to be Succeeded; last failure: phase is Running/);
  });
});

describe('uniqueName', () => {
  it('makes distinct DNS-safe names', () => {
    const a = uniqueName('Smoke');
    expect(a).toMatch(/^smoke-[a-z0-9]+-[a-z0-9]+$/);
    expect(a).not.toBe(uniqueName('Smoke'));
  });
});
