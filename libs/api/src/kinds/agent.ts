import { AGENT } from '../kinds.js';
import { EnvVar, LocalRef, SystemPromptRef, commonStatus } from '../schema/common.js';
import { Int32, List, Obj, Opt, Schemaless, Str, StrList, withRules, type Static } from '../schema/dsl.js';
import { ageColumn, readyColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const AgentDefaults = withRules(
  Obj({
    timeoutSeconds: Opt(Int32({ minimum: 0 })),
    retryLimit: Opt(Int32({ minimum: 0 })),
    systemPrompt: Opt(Str({ maxLength: 16384, description: 'The system prompt of every run of this agent.' })),
    systemPromptRef: Opt(SystemPromptRef),
  }),
  [
    {
      rule: '!(has(self.systemPrompt) && has(self.systemPromptRef))',
      message: 'only one of systemPrompt or systemPromptRef may be set',
      fieldPath: '.systemPromptRef',
      reason: 'FieldValueForbidden',
      holds: (d) => !(d.systemPrompt !== undefined && d.systemPromptRef !== undefined),
    },
  ],
);

export const AgentSpec = Obj({
  providerRef: LocalRef,
  config: Opt(Schemaless({ description: 'Provider-specific settings, passed to runs as given.' })),
  env: Opt(List(EnvVar)),
  security: Opt(
    Obj({
      allowedServiceAccounts: Opt(StrList()),
      allowedSecrets: Opt(StrList()),
      allowedImplementationSourceProviders: Opt(StrList()),
    }),
  ),
  memoryRef: Opt(LocalRef),
  vcsRef: Opt(LocalRef),
  defaults: Opt(AgentDefaults),
});
export type AgentSpec = Static<typeof AgentSpec>;

export const AgentStatus = Obj({ ...commonStatus });
export type AgentStatus = Static<typeof AgentStatus>;
export type Agent = KubeObject<AgentSpec, AgentStatus>;

export const agentDefinition: KindDefinition = {
  info: AGENT,
  description: 'An agent: a provider, its system prompt, and the policies its runs must respect.',
  spec: AgentSpec,
  specRequired: true,
  status: AgentStatus,
  printerColumns: [readyColumn, { name: 'Provider', type: 'string', jsonPath: '.spec.providerRef.name' }, ageColumn],
};
