import type { Agent, AgentProvider, Memory } from '@agents/api';
import { agentStatus, type AgentObserved } from './agent.status.js';

const now = new Date('2026-01-01T00:00:00Z');
const agent = (spec: Partial<Agent['spec']> = {}): Agent => ({
  apiVersion: 'agents.proompteng.ai/v1alpha1',
  kind: 'Agent',
  metadata: { name: 'a', namespace: 'ns', generation: 2 },
  spec: { providerRef: { name: 'p' }, defaults: { systemPrompt: 'be careful' }, ...spec },
});
const provider = (ready: 'True' | 'False' = 'True'): AgentProvider => ({
  apiVersion: 'agents.proompteng.ai/v1alpha1',
  kind: 'AgentProvider',
  metadata: { name: 'p' },
  spec: { binary: '/bin/sh' },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: ready,
        reason: 'X',
        message: 'auth expired',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  },
});
const memory: Memory = {
  apiVersion: 'x',
  kind: 'Memory',
  metadata: { name: 'm' },
  spec: { type: 'redis', connection: { secretRef: { name: 's' } } },
};

const ready = (a: Agent, o: AgentObserved) => agentStatus(a, o, now).conditions?.find((c) => c.type === 'Ready');

describe('agentStatus', () => {
  it.each([
    ['a complete agent is ready', agent(), { provider: provider(), memory: null }, 'True', 'ValidSpec'],
    [
      'a missing provider makes the spec invalid',
      agent(),
      { provider: undefined, memory: null },
      'False',
      'MissingProvider',
    ],
    [
      'a missing referenced memory makes the spec invalid',
      agent({ memoryRef: { name: 'm' } }),
      { provider: provider(), memory: undefined },
      'False',
      'MissingMemory',
    ],
    [
      'a present referenced memory is fine',
      agent({ memoryRef: { name: 'm' } }),
      { provider: provider(), memory },
      'True',
      'ValidSpec',
    ],
    [
      'an agent without a system prompt cannot run',
      agent({ defaults: {} }),
      { provider: provider(), memory: null },
      'False',
      'MissingSystemPromptConfiguration',
    ],
    [
      'an unready provider makes the agent unready but valid',
      agent(),
      { provider: provider('False'), memory: null },
      'False',
      'ProviderNotReady',
    ],
  ])('%s', (_case, a, o, status, reason) => {
    expect(ready(a, o as AgentObserved)).toMatchObject({ status, reason, observedGeneration: 2 });
  });

  it('marks InvalidSpec only for spec problems', () => {
    const invalid = agentStatus(agent(), { provider: undefined, memory: null }, now).conditions?.find(
      (c) => c.type === 'InvalidSpec',
    );
    const unready = agentStatus(agent(), { provider: provider('False'), memory: null }, now).conditions?.find(
      (c) => c.type === 'InvalidSpec',
    );
    expect([invalid?.status, unready?.status]).toEqual(['True', 'False']);
  });
});
