// Values that must not render: helm fails with a message naming the value (values.schema.json for types, enums,
// bounds and unknown keys; templates/validation.yaml for contradictions).
import { NAMESPACE, renderError } from '../src/chart.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('values.schema.json rejects, naming the value', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'a string replica count',
      { controlPlane: { replicaCount: 'two' } },
      /\/controlPlane\/replicaCount': got string, want integer/,
    ],
    ['an unknown top-level key', { replicas: 2 }, /additional properties 'replicas' not allowed/],
    [
      'an unknown nested key',
      { controllers: { image: { tags: 'x' } } },
      /\/controllers\/image'.*additional properties 'tags' not allowed/,
    ],
    [
      'a gRPC Service that is not ClusterIP',
      { grpc: { serviceType: 'LoadBalancer' } },
      /\/grpc\/serviceType': value must be 'ClusterIP'/,
    ],
    [
      'a pull policy outside the enum',
      { controllers: { image: { pullPolicy: 'Sometimes' } } },
      /\/controllers\/image\/pullPolicy/,
    ],
    ['a port above 65535', { grpc: { port: 70000 } }, /\/grpc\/port': maximum: got 70,000, want 65,535/],
    [
      'a negative concurrency',
      { controller: { concurrency: { perNamespace: -1 } } },
      /\/controller\/concurrency\/perNamespace': minimum/,
    ],
    ['a malformed digest', { controlPlane: { image: { digest: 'sha256:1234' } } }, /\/controlPlane\/image\/digest/],
    ['a namespace that is not a DNS label', { controller: { namespaces: ['Team_A'] } }, /\/controller\/namespaces\/0/],
    [
      'the same namespace twice',
      { controller: { namespaces: ['a', 'a'] } },
      /\/controller\/namespaces': items at 0 and 1 are equal/,
    ],
    ['a log level outside the enum', { logging: { level: 'trace' } }, /\/logging\/level/],
    [
      'a runtime debris cleanup mode outside the enum',
      { controller: { runtimeDebrisCleanup: { mode: 'purge' } } },
      /\/controller\/runtimeDebrisCleanup\/mode/,
    ],
    [
      'more than 50 artifacts per run',
      { controller: { agentRunArtifacts: { max: 51 } } },
      /\/controller\/agentRunArtifacts\/max': maximum: got 51, want 50/,
    ],
    [
      'a repository concurrency override that is not an integer',
      { controller: { repoConcurrency: { overrides: { 'acme/app': 'two' } } } },
      /\/controller\/repoConcurrency\/overrides\/acme~1app': got string, want integer/,
    ],
    ['a database URL that is not postgres', { database: { url: 'mysql://db/x' } }, /\/database\/url/],
    [
      'a boolean given as a string',
      { rbac: { clusterScoped: 'yes' } },
      /\/rbac\/clusterScoped': got string, want boolean/,
    ],
    [
      'an env var with a dash in its name',
      { env: { vars: { 'MY-VAR': 'x' } } },
      /\/env\/vars'.*additional properties 'MY-VAR' not allowed/,
    ],
    [
      'a list where a map belongs',
      { controlPlane: { nodeSelector: ['a'] } },
      /\/controlPlane\/nodeSelector': got array, want object/,
    ],
  ])('%s', (_case, values, want) => {
    expect(renderError(values)).toMatch(want);
  });
});

describe('templates/validation.yaml rejects contradictory values, naming the value and what is expected', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'several namespaces without cluster-scoped RBAC',
      { controller: { namespaces: ['team-a', 'team-b'] } },
      /controller\.namespaces: \["team-a","team-b"\] needs rbac\.clusterScoped=true/,
    ],
    [
      '"*" without cluster-scoped RBAC',
      { orchestrationController: { namespaces: ['*'] } },
      /orchestrationController\.namespaces: \["\*"\] needs rbac\.clusterScoped=true/,
    ],
    [
      '"*" mixed with names',
      { rbac: { clusterScoped: true }, supportingController: { namespaces: ['*', 'team-a'] } },
      /supportingController\.namespaces: "\*" \(every namespace\) cannot be mixed with names/,
    ],
    [
      'a single namespace that is not the release namespace, with namespaced RBAC',
      { controller: { namespaces: ['team-a'] } },
      new RegExp(
        `controller\\.namespaces: "team-a" is not the release namespace "${NAMESPACE}".*set rbac\\.clusterScoped=true`,
      ),
    ],
    [
      'database.createSecret without database.url',
      { database: { createSecret: { enabled: true } } },
      /database\.createSecret\.enabled: needs database\.url/,
    ],
    [
      'a database URL and a database Secret at once',
      { database: { url: 'postgres://db/a', secretRef: { name: 'db' } } },
      /database\.url and database\.secretRef\.name: both set/,
    ],
    [
      'imagePolicy.requireDigest without digests',
      { imagePolicy: { requireDigest: true }, controlPlane: { image: { digest: DIGEST } } },
      /controllers\.image\.digest: required by imagePolicy\.requireDigest=true[\s\S]*runner\.image\.digest: required/,
    ],
    [
      'imagePolicy.requireDigest with a runtime image override that has no digest',
      {
        imagePolicy: { requireDigest: true },
        controlPlane: { image: { digest: DIGEST } },
        controllers: { image: { digest: DIGEST } },
        runtime: { agentRunnerImage: 'example.com/runner:1' },
      },
      /runtime\.agentRunnerImage: "example\.com\/runner:1" has no digest/,
    ],
    [
      'an env key with the AGENTS_ prefix',
      { controllers: { env: { vars: { AGENTS_CONTROLLER_NAMESPACES: 'x' } } } },
      /controllers\.env\.vars\.AGENTS_CONTROLLER_NAMESPACES: the apps read JANGAR_\* variables, not AGENTS_\*; rename it to JANGAR_CONTROLLER_NAMESPACES/,
    ],
    [
      'an env.secrets entry with the AGENTS_ prefix',
      { env: { secrets: [{ name: 'AGENTS_TOKEN', secretName: 's', key: 'k' }] } },
      /env\.secrets\[0\]\.name: "AGENTS_TOKEN": the apps read JANGAR_\*/,
    ],
    [
      'a gRPC port in env.vars that contradicts grpc.port',
      { controlPlane: { env: { vars: { JANGAR_GRPC_PORT: '6000' } } } },
      /controlPlane\.env\.vars\.JANGAR_GRPC_PORT: "6000" contradicts grpc\.\* \(the chart sets JANGAR_GRPC_PORT="50051"/,
    ],
    [
      'gRPC enabled in env.vars while grpc.enabled is false',
      { grpc: { enabled: false }, env: { vars: { JANGAR_GRPC_ENABLED: 'true' } } },
      /env\.vars\.JANGAR_GRPC_ENABLED: "true" contradicts grpc\.\*/,
    ],
    [
      'the HTTP port in env.vars',
      { env: { vars: { JANGAR_PORT: '9000' } } },
      /env\.vars\.JANGAR_PORT: is set by the chart \(8080/,
    ],
    [
      'DATABASE_URL in env.vars next to database.*',
      { database: { secretRef: { name: 'db' } }, controlPlane: { env: { vars: { DATABASE_URL: 'postgres://x/y' } } } },
      /controlPlane\.env\.vars\.DATABASE_URL: conflicts with database\.\*/,
    ],
    [
      'NATS_URL in env.vars while agentComms sets it',
      { agentComms: { enabled: true }, env: { vars: { NATS_URL: 'nats://x:4222' } } },
      /env\.vars\.NATS_URL: conflicts with agentComms\.nats\.\*/,
    ],
    [
      'an env var set by env.vars and env.secrets',
      { env: { vars: { TOKEN: 'x' }, secrets: [{ name: 'TOKEN', secretName: 's', key: 'k' }] } },
      /env\.secrets\[0\]\.name: "TOKEN" is also set in env\.vars/,
    ],
    [
      'an existing ServiceAccount without a name',
      { controllers: { serviceAccount: { create: false } } },
      /controllers\.serviceAccount\.name: required when controllers\.serviceAccount\.create is false/,
    ],
    [
      'HPA minReplicas above maxReplicas',
      { controlPlane: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } } },
      /controlPlane\.autoscaling\.minReplicas: 5 is greater than maxReplicas 2/,
    ],
    [
      'an HPA without a metric',
      { controllers: { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null } } },
      /controllers\.autoscaling: needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage/,
    ],
    [
      'a PodDisruptionBudget that blocks every eviction',
      { controlPlane: { podDisruptionBudget: { enabled: true } } },
      /controlPlane\.podDisruptionBudget\.minAvailable: 1 with 1 replica\(s\) would block every voluntary eviction/,
    ],
    [
      'several controllers replicas without leader election',
      { controllers: { replicaCount: 2 }, controller: { leaderElection: { enabled: false } } },
      /controller\.leaderElection\.enabled: false with up to 2 controllers replicas/,
    ],
    [
      'ServiceMonitors without metrics Services',
      { metrics: { service: { enabled: false }, serviceMonitor: { enabled: true } } },
      /metrics\.serviceMonitor\.enabled: needs metrics\.enabled and metrics\.service\.enabled/,
    ],
    [
      'agent comms without a NATS URL',
      { agentComms: { enabled: true, nats: { url: '' } } },
      /agentComms\.nats\.url: required when agentComms\.enabled is true/,
    ],
  ])('%s', (_case, values, want) => {
    expect(renderError(values)).toMatch(want);
  });

  it('lists every problem at once', () => {
    const err = renderError({ controller: { namespaces: ['a', 'b'] }, database: { createSecret: { enabled: true } } });
    expect(err).toMatch(/controller\.namespaces:[\s\S]*database\.createSecret\.enabled:/);
  });
});

describe('templates/validation.yaml also guards renders without the schema (--skip-schema-validation)', () => {
  const skip = { flags: ['--skip-schema-validation'] };

  it.each<[string, unknown, RegExp]>([
    [
      'a blank namespace',
      { rbac: { clusterScoped: true }, controller: { namespaces: ['a', ' '] } },
      /controller\.namespaces\[1\]: is blank/,
    ],
    [
      'a namespace that is not a DNS label',
      { rbac: { clusterScoped: true }, controller: { namespaces: ['Team_A'] } },
      /controller\.namespaces\[0\]: "Team_A" is not a namespace name/,
    ],
    [
      'a duplicate namespace',
      { rbac: { clusterScoped: true }, controller: { namespaces: ['a', 'a'] } },
      /controller\.namespaces\[1\]: "a" is listed twice/,
    ],
    [
      'namespaces that are not a list',
      { controller: { namespaces: 'team-a' } },
      /controller\.namespaces: must be a list/,
    ],
    [
      'a malformed digest',
      { runner: { image: { digest: 'md5:x' } } },
      /runner\.image\.digest: "md5:x" is not a digest/,
    ],
  ])('%s', (_case, values, want) => {
    expect(renderError(values, skip)).toMatch(want);
  });
});
