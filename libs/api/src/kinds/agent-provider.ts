import { AGENT_PROVIDER } from '../kinds.js';
import { ArtifactRef, Resources, commonStatus } from '../schema/common.js';
import { Bool, Enum, Int64, List, Obj, Opt, Schemaless, Str, StrList, StringMap, type Static } from '../schema/dsl.js';
import { ageColumn, readyColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const AgentProviderSpec = Obj({
  binary: Str({ minLength: 1, description: 'The command the runner starts (absolute path in the runner image).' }),
  argsTemplate: Opt(StrList({ description: 'Arguments; {{path}} placeholders are rendered from the run.' })),
  envTemplate: Opt(StringMap({ description: 'Environment; values are rendered from the run.' })),
  secretEnv: Opt(
    List(
      Obj({
        name: Str({ minLength: 1 }),
        secretName: Str({ minLength: 1 }),
        key: Str({ minLength: 1 }),
        optional: Opt(Bool()),
      }),
    ),
  ),
  inputFiles: Opt(List(Obj({ path: Str({ minLength: 1 }), content: Str() }))),
  outputArtifacts: Opt(List(ArtifactRef)),
  health: Opt(Obj({ capacityFailurePolicy: Opt(Enum(['degrade', 'block'] as const)) })),
  workload: Opt(
    Obj({
      image: Opt(Str()),
      resources: Opt(Resources),
      serviceAccountName: Opt(Str()),
      serviceAccountToken: Opt(
        Obj({
          audience: Str({ minLength: 1, maxLength: 253 }),
          expirationSeconds: Int64({ minimum: 600, maximum: 3600 }),
          mountPath: Str({ minLength: 2, maxLength: 1024, pattern: '^/' }),
        }),
      ),
    }),
  ),
  adapter: Opt(Schemaless({ description: 'Runner contract, e.g. {type: exec}.' })),
});
export type AgentProviderSpec = Static<typeof AgentProviderSpec>;

export const AgentProviderStatus = Obj({ ...commonStatus });
export type AgentProviderStatus = Static<typeof AgentProviderStatus>;
export type AgentProvider = KubeObject<AgentProviderSpec, AgentProviderStatus>;

export const agentProviderDefinition: KindDefinition = {
  info: AGENT_PROVIDER,
  description: 'How to start an agent: the binary, its argument and environment templates, files and image.',
  spec: AgentProviderSpec,
  specRequired: true,
  status: AgentProviderStatus,
  printerColumns: [readyColumn, ageColumn],
};
