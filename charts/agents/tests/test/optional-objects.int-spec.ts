// The objects the chart renders only when asked (REFERENCE §6.2's optional parts), and the values that shape the
// objects it always renders: env lists, envFrom forms, RBAC, NetworkPolicies, rollout checksums.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHART_DIR,
  COMPONENTS,
  FULLNAME,
  NAMESPACE,
  container,
  deployment,
  envOf,
  find,
  ofKind,
  render,
  renderError,
  type K8sObject,
} from '../src/chart.js';

const spec = <T>(o: K8sObject) => (o as unknown as { spec: T }).spec;
const rules = (o: K8sObject) => (o as unknown as { rules: unknown[] }).rules;

describe('optional objects', () => {
  it('renders a ResourceQuota and a LimitRange in the release namespace', () => {
    const objects = render({
      resourceQuota: {
        enabled: true,
        hard: { pods: 50, 'requests.cpu': '20' },
        scopes: ['NotBestEffort'],
        labels: { a: 'b' },
      },
      limitRange: {
        enabled: true,
        name: 'runner-limits',
        limits: [{ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '100m' } }],
      },
    });
    const quota = find(objects, 'ResourceQuota', FULLNAME);
    expect(quota.metadata).toMatchObject({ namespace: NAMESPACE, labels: { a: 'b' } });
    expect(spec(quota)).toEqual({ hard: { pods: '50', 'requests.cpu': '20' }, scopes: ['NotBestEffort'] });
    expect(spec(find(objects, 'LimitRange', 'runner-limits'))).toEqual({
      limits: [{ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '100m' } }],
    });
    expect(ofKind(render(), 'ResourceQuota')).toEqual([]);
  });

  it('renders the release Namespace with Pod Security Admission labels, and refuses labels it cannot apply', () => {
    const objects = render({
      podSecurityAdmission: {
        enabled: true,
        createNamespace: true,
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    });
    expect(find(objects, 'Namespace', NAMESPACE).metadata).toMatchObject({
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
      annotations: { 'helm.sh/resource-policy': 'keep' },
    });
    expect(renderError({ podSecurityAdmission: { enabled: true } })).toContain(
      'podSecurityAdmission.enabled: needs podSecurityAdmission.createNamespace=true',
    );
  });

  it('renders a helm test Pod that GETs the control plane health through its Service', () => {
    const pod = find(
      render({ tests: { enabled: true, timeoutSeconds: 7 }, service: { port: 8081 } }),
      'Pod',
      `${FULLNAME}-test-connection`,
    );
    expect(pod.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
    expect(spec<{ containers: { image: string; args: string[] }[] }>(pod).containers[0]).toMatchObject({
      image: 'curlimages/curl:8.11.1',
      args: [
        '--fail',
        '--silent',
        '--show-error',
        '--max-time',
        '7',
        `http://${FULLNAME}.${NAMESPACE}.svc:8081/health`,
      ],
    });
  });

  it('creates a runner ServiceAccount with its Role, and hands it to the controllers as the default', () => {
    const objects = render({
      runnerServiceAccount: {
        create: true,
        annotations: { 'iam.example.com/role': 'runner' },
        rbac: { create: true, extraRules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] }] },
      },
    });
    const name = `${FULLNAME}-runner`;
    expect(find(objects, 'ServiceAccount', name).metadata.annotations).toEqual({ 'iam.example.com/role': 'runner' });
    expect(rules(find(objects, 'Role', name))).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/log', 'configmaps', 'events'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] },
    ]);
    expect((find(objects, 'RoleBinding', name) as unknown as { subjects: unknown[] }).subjects).toEqual([
      { kind: 'ServiceAccount', name, namespace: NAMESPACE },
    ]);
    expect(envOf(objects, 'controllers').get('JANGAR_AGENT_RUNNER_SERVICE_ACCOUNT')?.value).toBe(name);
    // Runner pods run in every watched namespace: so do the ServiceAccount and its Role.
    const spread = render({
      rbac: { clusterScoped: true },
      controller: { namespaces: ['team-a', 'team-b'] },
      runnerServiceAccount: { create: true, rbac: { create: true } },
    });
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding'])
      expect(
        ofKind(spread, kind)
          .filter((o) => o.metadata.name === name)
          .map((o) => o.metadata.namespace),
      ).toEqual(['team-a', 'team-b']);
    const notDefault = render({ runnerServiceAccount: { create: true, setAsDefault: false } });
    expect(envOf(notDefault, 'controllers').has('JANGAR_AGENT_RUNNER_SERVICE_ACCOUNT')).toBe(false);
    expect(renderError({ runnerServiceAccount: { rbac: { create: true } } })).toContain(
      'runnerServiceAccount.name: required when runnerServiceAccount.rbac.create is true',
    );
  });

  it('renders the VersionControlProvider of versionControlProvider.*, with only the block of its auth method', () => {
    const objects = render({
      versionControlProvider: {
        enabled: true,
        auth: { method: 'app', app: { appId: 12345, installationId: '678', privateKeySecretRef: { name: 'gh-app' } } },
        repositoryPolicy: { allow: ['proompteng/*'] },
      },
    });
    const vcp = find(objects, 'VersionControlProvider', 'github');
    expect(vcp.metadata.namespace).toBe(NAMESPACE);
    expect(spec(vcp)).toEqual({
      provider: 'github',
      apiBaseUrl: 'https://api.github.com',
      cloneBaseUrl: 'https://github.com',
      webBaseUrl: 'https://github.com',
      auth: {
        method: 'app',
        app: { appId: '12345', installationId: '678', privateKeySecretRef: { name: 'gh-app', key: 'privateKey' } },
      },
      repositoryPolicy: { allow: ['proompteng/*'] },
      capabilities: { read: true, write: true, pullRequests: true },
      defaults: {
        baseBranch: 'main',
        branchTemplate: 'agents/{{agentRun.name}}',
        commitAuthorName: 'agents',
        pullRequest: {
          enabled: true,
          draft: false,
          titleTemplate: 'agents: {{repository}}',
          bodyTemplate: 'AgentRun: {{agentRun.name}}',
        },
      },
    });
    expect(renderError({ versionControlProvider: { enabled: true } })).toContain(
      'versionControlProvider.auth.token.secretRef.name: required with auth.method token',
    );
    expect(renderError({ versionControlProvider: { enabled: true, auth: { method: 'app' } } })).toMatch(
      /auth\.app\.appId: required[\s\S]*auth\.app\.installationId: required[\s\S]*privateKeySecretRef\.name: required/,
    );
  });

  it('renders the Grafana dashboard ConfigMap by default, and none when off', () => {
    const cm = find(render(), 'ConfigMap', `${FULLNAME}-dashboard`);
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const json = (cm as unknown as { data: Record<string, string> }).data['agents-observability.json']!;
    expect(JSON.parse(json)).toEqual(
      JSON.parse(readFileSync(path.join(CHART_DIR, 'files/dashboards/agents-observability.json'), 'utf8')),
    );
    expect(ofKind(render({ metrics: { dashboards: { enabled: false } } }), 'ConfigMap')).toEqual([]);
    expect(ofKind(render({ metrics: { enabled: false } }), 'ConfigMap')).toEqual([]);
  });
});

describe('values that shape the Deployments', () => {
  it('adds env.extra to both components, and refuses a name env.vars also sets', () => {
    const extra = [
      { name: 'TEAM', value: 'infra' },
      { name: 'RETRIES', value: 3 },
      { name: 'ZERO', value: 0 },
      { name: 'OFF', value: false },
      { name: 'RATIO', value: 1.5 },
      { name: 'EMPTY' },
    ];
    const objects = render({ env: { extra } });
    for (const c of COMPONENTS) {
      const env = envOf(objects, c);
      expect(['TEAM', 'RETRIES', 'ZERO', 'OFF', 'RATIO', 'EMPTY'].map((n) => env.get(n)?.value)).toEqual([
        'infra',
        '3',
        '0',
        'false',
        '1.5',
        '',
      ]);
    }
    expect(renderError({ env: { vars: { TEAM: 'a' }, extra: [{ name: 'TEAM', value: 'b' }] } })).toContain(
      'env.extra[0].name: "TEAM" is also set in env.vars; set each variable in one place',
    );
  });

  it('reads envFrom refs by name, as {name, optional}, and as {name, keys} (one env var per key)', () => {
    const objects = render({
      envFromSecretRefs: ['plain', { name: 'maybe', optional: true }, { name: 'picked', keys: ['API_KEY'] }],
      envFromConfigMapRefs: [{ name: 'settings', keys: ['REGION'], optional: true }],
    });
    for (const c of COMPONENTS) {
      expect(container(objects, c).envFrom).toEqual([
        { secretRef: { name: 'plain' } },
        { secretRef: { name: 'maybe', optional: true } },
      ]);
      expect(envOf(objects, c).get('API_KEY')?.valueFrom).toEqual({ secretKeyRef: { name: 'picked', key: 'API_KEY' } });
      expect(envOf(objects, c).get('REGION')?.valueFrom).toEqual({
        configMapKeyRef: { name: 'settings', key: 'REGION', optional: true },
      });
    }
  });

  it('refuses keyed envFrom entries that clash with the chart, env.vars or one another', () => {
    const err = renderError({
      database: { secretRef: { name: 'db' } },
      env: { vars: { REGION: 'eu' } },
      envFromSecretRefs: [{ name: 's', keys: ['JANGAR_PORT', 'DATABASE_URL', 'AGENTS_TOKEN', 'TOKEN'] }],
      envFromConfigMapRefs: [{ name: 'c', keys: ['REGION', 'TOKEN'] }],
    });
    expect(err).toContain('envFromSecretRefs[0].keys: JANGAR_PORT is set by the chart');
    expect(err).toContain('envFromSecretRefs[0].keys: DATABASE_URL conflicts with database.*');
    expect(err).toContain('envFromSecretRefs[0].keys: "AGENTS_TOKEN": the apps read JANGAR_* variables');
    expect(err).toContain('envFromConfigMapRefs[0].keys: "REGION" is also set in env.vars');
    expect(err).toContain('envFromConfigMapRefs[0].keys: "TOKEN" is also set by envFromSecretRefs[0].keys');
  });

  it('appends a plain rbac.extraRules list to both components', () => {
    const extra = { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get'] };
    const objects = render({ rbac: { extraRules: [extra] } });
    expect(rules(find(objects, 'Role', FULLNAME))).toContainEqual(extra);
    expect(rules(find(objects, 'Role', `${FULLNAME}-controllers`))).toContainEqual(extra);
  });

  it('takes NetworkPolicy ingress rules, policy types and annotations as given', () => {
    const ingress = [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ port: 8080 }] }];
    const objects = render({
      networkPolicy: { enabled: true, policyTypes: ['Ingress', 'Egress'], ingress, annotations: { owner: 'sec' } },
    });
    const np = find(objects, 'NetworkPolicy', FULLNAME);
    expect(np.metadata.annotations).toEqual({ owner: 'sec' });
    expect(spec(np)).toMatchObject({ policyTypes: ['Ingress', 'Egress'], ingress });
    expect(spec(np)).not.toHaveProperty('egress');
  });

  it('lets env.vars replace what the chart sets when validation.reservedEnvKeysEnforced is false', () => {
    const values = { env: { vars: { JANGAR_GRPC_PORT: '6000' } } };
    expect(renderError(values)).toContain('env.vars.JANGAR_GRPC_PORT: "6000" contradicts grpc.*');
    const objects = render({ ...values, validation: { reservedEnvKeysEnforced: false } });
    expect(envOf(objects, 'control-plane').get('JANGAR_GRPC_PORT')?.value).toBe('6000');
  });

  it('annotates both components with the rollout checksums of Secrets and ConfigMaps it does not render', () => {
    const sum = 'b'.repeat(64);
    const objects = render({
      rolloutChecksums: {
        enabled: true,
        secrets: [{ name: 'db', checksum: sum }],
        configMaps: [{ name: 'flags', namespace: 'shared', checksum: sum }],
      },
    });
    const key = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 24);
    for (const c of COMPONENTS) {
      expect(deployment(objects, c).spec.template.metadata.annotations).toEqual({
        [`agents.proompteng.ai/checksum-secret-${key(`secret:${NAMESPACE}/db`)}`]: sum,
        [`agents.proompteng.ai/checksum-configmap-${key('configmap:shared/flags')}`]: sum,
      });
    }
    expect(renderError({ rolloutChecksums: { secrets: [{ name: 'db', checksum: 'abc' }] } })).toMatch(
      /\/rolloutChecksums\/secrets\/0\/checksum/,
    );
    // On, it wants an entry for every Secret and ConfigMap the pods read that the chart does not render.
    const missing = renderError({
      rolloutChecksums: { enabled: true, secrets: [{ name: 'db', checksum: sum }] },
      database: { secretRef: { name: 'db' }, caSecret: { name: 'db-ca' } },
      envFromConfigMapRefs: ['flags'],
      extraVolumes: [{ name: 'certs', volume: { secret: { secretName: 'certs' } } }],
    });
    expect(missing).toContain('rolloutChecksums.secrets: no entry for Secret "db-ca" (read through database.caSecret)');
    expect(missing).toContain(
      'rolloutChecksums.secrets: no entry for Secret "certs" (read through controlPlane.extraVolumes)',
    );
    expect(missing).toContain(
      'rolloutChecksums.configMaps: no entry for ConfigMap "flags" (read through envFromConfigMapRefs)',
    );
    expect(missing).not.toContain('"db" (read');
  });

  it('sets the metrics Service type, ServiceMonitor and PDB annotations, lifecycle and rollout settings', () => {
    const objects = render({
      metrics: { service: { type: 'NodePort' }, serviceMonitor: { enabled: true, annotations: { a: 'b' } } },
      controllers: {
        replicaCount: 2,
        podDisruptionBudget: { enabled: true, annotations: { c: 'd' } },
        lifecycle: { preStop: { sleep: { seconds: 3 } } },
        deploymentLifecycle: { minReadySeconds: 10 },
      },
    });
    expect(spec<{ type: string }>(find(objects, 'Service', `${FULLNAME}-metrics`)).type).toBe('NodePort');
    expect(find(objects, 'ServiceMonitor', FULLNAME).metadata.annotations).toEqual({ a: 'b' });
    expect(find(objects, 'PodDisruptionBudget', `${FULLNAME}-controllers`).metadata.annotations).toEqual({ c: 'd' });
    expect(container(objects, 'controllers')).toMatchObject({ lifecycle: { preStop: { sleep: { seconds: 3 } } } });
    expect(deployment(objects, 'controllers').spec).toMatchObject({
      minReadySeconds: 10,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
    });
    expect(container(render(), 'controllers')).not.toHaveProperty('lifecycle');
  });

  it('refuses an http audit sink without a URL', () => {
    expect(renderError({ audit: { sink: { type: 'http' } } })).toContain(
      'audit.sink.http.url: required when audit.sink.type is http',
    );
  });
});
