import { ALL_KINDS, AGENT_RUN, MEMORY, crdFileName, crdName, findKind } from './kinds.js';

describe('kind registry', () => {
  it('holds the 18 primitives plus VersionControlProvider, each once', () => {
    expect(ALL_KINDS).toHaveLength(19);
    expect(new Set(ALL_KINDS.map((k) => k.kind)).size).toBe(19);
    expect(new Set(ALL_KINDS.map(crdName)).size).toBe(19);
  });

  it('names CRDs and their files from plural and group', () => {
    expect(crdName(AGENT_RUN)).toBe('agentruns.agents.proompteng.ai');
    expect(crdFileName(MEMORY)).toBe('agents.proompteng.ai_memories.yaml');
    expect(AGENT_RUN.apiVersion).toBe('agents.proompteng.ai/v1alpha1');
  });

  it.each([
    ['a kind name in any case', 'agentrun', 'AgentRun'],
    ['a plural', 'signaldeliveries', 'SignalDelivery'],
  ])('finds a kind by %s', (_case, input, want) => {
    expect(findKind(input)?.kind).toBe(want);
  });

  it('finds nothing for an unknown name', () => {
    expect(findKind('swarm')).toBeUndefined();
  });
});
