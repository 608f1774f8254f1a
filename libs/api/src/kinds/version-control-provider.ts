import { VERSION_CONTROL_PROVIDER } from '../kinds.js';
import { SecretKeyRef, commonStatus } from '../schema/common.js';
import { Bool, DateTime, Enum, Int32, IntOrString, Obj, Opt, Str, StrList, type Static } from '../schema/dsl.js';
import { ageColumn, readyColumn, type KindDefinition, type KubeObject } from '../schema/object.js';

export const VersionControlProviderSpec = Obj({
  provider: Enum(['github', 'gitlab', 'bitbucket', 'gitea', 'generic'] as const),
  apiBaseUrl: Opt(Str({ format: 'uri' })),
  cloneBaseUrl: Opt(Str({ format: 'uri' })),
  webBaseUrl: Opt(Str({ format: 'uri' })),
  cloneProtocol: Opt(Enum(['https', 'ssh'] as const)),
  sshHost: Opt(Str()),
  sshUser: Opt(Str()),
  auth: Opt(
    Obj({
      method: Opt(Enum(['token', 'app', 'ssh', 'none'] as const)),
      username: Opt(Str()),
      token: Opt(
        Obj({
          secretRef: Opt(SecretKeyRef),
          type: Opt(Enum(['pat', 'fine_grained', 'api_token', 'access_token'] as const)),
        }),
      ),
      app: Opt(
        Obj({
          appId: Opt(IntOrString()),
          installationId: Opt(IntOrString()),
          privateKeySecretRef: Opt(SecretKeyRef),
          tokenTtlSeconds: Opt(Int32({ minimum: 0 })),
        }),
      ),
      ssh: Opt(Obj({ privateKeySecretRef: Opt(SecretKeyRef), knownHostsConfigMapRef: Opt(SecretKeyRef) })),
    }),
  ),
  repositoryPolicy: Opt(Obj({ allow: Opt(StrList({ maxItems: 200 })), deny: Opt(StrList({ maxItems: 200 })) })),
  capabilities: Opt(Obj({ read: Opt(Bool()), write: Opt(Bool()), pullRequests: Opt(Bool()) })),
  defaults: Opt(
    Obj({
      baseBranch: Opt(Str()),
      branchTemplate: Opt(Str()),
      branchConflictSuffixTemplate: Opt(Str()),
      commitAuthorName: Opt(Str()),
      commitAuthorEmail: Opt(Str()),
      pullRequest: Opt(
        Obj({ enabled: Opt(Bool()), draft: Opt(Bool()), titleTemplate: Opt(Str()), bodyTemplate: Opt(Str()) }),
      ),
    }),
  ),
});
export type VersionControlProviderSpec = Static<typeof VersionControlProviderSpec>;

export const VersionControlProviderStatus = Obj({ ...commonStatus, lastValidatedAt: Opt(DateTime()) });
export type VersionControlProviderStatus = Static<typeof VersionControlProviderStatus>;
export type VersionControlProvider = KubeObject<VersionControlProviderSpec, VersionControlProviderStatus>;

export const versionControlProviderDefinition: KindDefinition = {
  info: VERSION_CONTROL_PROVIDER,
  description: 'A Git hosting provider runs may clone from and push to, with its credentials and repository policy.',
  spec: VersionControlProviderSpec,
  specRequired: true,
  status: VersionControlProviderStatus,
  printerColumns: [readyColumn, { name: 'Provider', type: 'string', jsonPath: '.spec.provider' }, ageColumn],
};
