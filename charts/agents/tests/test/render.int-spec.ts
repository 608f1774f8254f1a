// Render assertions: `helm template` with one value changed at a time, parsed and checked object by object.
import {
  COMPONENTS,
  FULLNAME,
  NAMESPACE,
  RELEASE,
  chartYaml,
  container,
  deployment,
  envOf,
  envValue,
  find,
  helm,
  ofKind,
  render,
  renderText,
  valuesFile,
  CHART_DIR,
  type Component,
  type K8sObject,
} from '../src/chart.js';
import { permissions, rulesFile, type PolicyRule } from '../src/rbac.js';

const appVersion = chartYaml().appVersion;
const rules = rulesFile();
const DIGEST = `sha256:${'a'.repeat(64)}`;

const kindsAndNames = (objects: K8sObject[]) =>
  objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort();

const rulesOf = (o: K8sObject) => permissions((o as unknown as { rules: PolicyRule[] }).rules);
const roleRef = (o: K8sObject) => (o as unknown as { roleRef: { kind: string; name: string } }).roleRef;
const subjects = (o: K8sObject) =>
  (o as unknown as { subjects: { kind: string; name: string; namespace: string }[] }).subjects;
const spec = <T>(o: K8sObject) => (o as unknown as { spec: T }).spec;

describe('default render', () => {
  const objects = render();

  it('renders the two Deployments, their ServiceAccounts, Services and namespaced RBAC', () => {
    expect(kindsAndNames(objects)).toEqual(
      [
        `ClusterRole -/${FULLNAME}-${NAMESPACE}-cluster`,
        `ClusterRole -/${FULLNAME}-${NAMESPACE}-controllers-cluster`,
        `ClusterRoleBinding -/${FULLNAME}-${NAMESPACE}-cluster`,
        `ClusterRoleBinding -/${FULLNAME}-${NAMESPACE}-controllers-cluster`,
        `ConfigMap ${NAMESPACE}/${FULLNAME}-dashboard`,
        `Deployment ${NAMESPACE}/${FULLNAME}`,
        `Deployment ${NAMESPACE}/${FULLNAME}-controllers`,
        `Role ${NAMESPACE}/${FULLNAME}`,
        `Role ${NAMESPACE}/${FULLNAME}-controllers`,
        `Role ${NAMESPACE}/${FULLNAME}-controllers-leader-election`,
        `Role ${NAMESPACE}/${FULLNAME}-lease-reader`,
        `RoleBinding ${NAMESPACE}/${FULLNAME}`,
        `RoleBinding ${NAMESPACE}/${FULLNAME}-controllers`,
        `RoleBinding ${NAMESPACE}/${FULLNAME}-controllers-leader-election`,
        `RoleBinding ${NAMESPACE}/${FULLNAME}-lease-reader`,
        `Service ${NAMESPACE}/${FULLNAME}`,
        `Service ${NAMESPACE}/${FULLNAME}-controllers-metrics`,
        `Service ${NAMESPACE}/${FULLNAME}-grpc`,
        `Service ${NAMESPACE}/${FULLNAME}-metrics`,
        `ServiceAccount ${NAMESPACE}/${FULLNAME}`,
        `ServiceAccount ${NAMESPACE}/${FULLNAME}-controllers`,
      ].sort(),
    );
  });

  it('labels every object with the standard labels and its component', () => {
    for (const o of objects) {
      expect({ object: `${o.kind}/${o.metadata.name}`, labels: o.metadata.labels }).toEqual({
        object: `${o.kind}/${o.metadata.name}`,
        labels: expect.objectContaining({
          'app.kubernetes.io/name': 'agents',
          'app.kubernetes.io/instance': RELEASE,
          'app.kubernetes.io/version': appVersion,
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/part-of': 'agents',
          'app.kubernetes.io/component': expect.stringMatching(/^(control-plane|controllers|metrics)$/),
          'helm.sh/chart': `agents-${chartYaml().version}`,
        }),
      });
    }
  });

  it('renders the same bytes every time', () => {
    expect(renderText()).toBe(renderText());
  });

  it.each(COMPONENTS)('runs the %s as its own ServiceAccount with restrictive security contexts', (component) => {
    const pod = deployment(objects, component).spec.template.spec;
    expect(pod.serviceAccountName).toBe(component === 'control-plane' ? FULLNAME : `${FULLNAME}-controllers`);
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(objects, component).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.enableServiceLinks).toBe(false);
    expect(container(objects, component).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it.each<[Component, string, string]>([
    ['control-plane', '/health', '/ready'],
    ['controllers', '/healthz', '/readyz'],
  ])('probes the %s on port http: liveness %s, readiness %s', (component, live, ready) => {
    const c = container(objects, component);
    expect(c.ports?.find((p) => p.name === 'http')).toEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(c.livenessProbe?.httpGet).toEqual({ path: live, port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: ready, port: 'http' });
    expect(c.startupProbe).toBeUndefined();
  });

  it('tags the images with the appVersion', () => {
    expect(container(objects, 'control-plane').image).toBe(`ghcr.io/proompteng/agents-control-plane:${appVersion}`);
    expect(container(objects, 'controllers').image).toBe(`ghcr.io/proompteng/agents-controllers:${appVersion}`);
    expect(envValue(objects, 'controllers', 'JANGAR_AGENT_RUNNER_IMAGE')).toBe(
      `ghcr.io/proompteng/agents-runner:${appVersion}`,
    );
  });

  it('serves gRPC on the control plane through a ClusterIP Service <fullname>-grpc', () => {
    expect(container(objects, 'control-plane').ports).toContainEqual({
      name: 'grpc',
      containerPort: 50051,
      protocol: 'TCP',
    });
    expect(container(objects, 'controllers').ports?.map((p) => p.name)).toEqual(['http']);
    expect(spec(find(objects, 'Service', `${FULLNAME}-grpc`))).toEqual({
      type: 'ClusterIP',
      selector: {
        'app.kubernetes.io/name': 'agents',
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/component': 'control-plane',
      },
      ports: [{ name: 'grpc', port: 50051, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }],
    });
    expect(spec<{ ports: unknown[] }>(find(objects, 'Service', FULLNAME)).ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('renders no pod annotations when the chart renders no config the pods read', () => {
    for (const c of COMPONENTS) expect(deployment(objects, c).spec.template.metadata.annotations).toBeUndefined();
  });
});

describe('names', () => {
  it('keeps every name within 63 characters and distinct with a 53-character release name', () => {
    const release = 'r'.repeat(53);
    const objects = render(undefined, { release });
    for (const o of objects) expect(o.metadata.name.length).toBeLessThanOrEqual(63);
    const names = objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('uses fullnameOverride as the prefix and nameOverride in the name label', () => {
    const objects = render({ fullnameOverride: 'acme', nameOverride: 'agentsx' });
    expect(find(objects, 'Deployment', 'acme-controllers').metadata.labels?.['app.kubernetes.io/name']).toBe('agentsx');
  });

  it('drops the chart name from the prefix when the release name contains it', () => {
    expect(find(render(undefined, { release: 'my-agents' }), 'Deployment', 'my-agents').kind).toBe('Deployment');
  });

  it('names the ServiceAccounts from their values', () => {
    const objects = render({
      controlPlane: { serviceAccount: { name: 'cp' } },
      controllers: { serviceAccount: { name: 'ctl' } },
    });
    expect(deployment(objects, 'control-plane').spec.template.spec.serviceAccountName).toBe('cp');
    expect(subjects(find(objects, 'RoleBinding', `${FULLNAME}-controllers`))).toEqual([
      { kind: 'ServiceAccount', name: 'ctl', namespace: NAMESPACE },
    ]);
    expect(find(objects, 'ServiceAccount', 'cp').metadata.namespace).toBe(NAMESPACE);
  });

  it('renders no ServiceAccount when create is false, and binds the existing one', () => {
    const objects = render({ controlPlane: { serviceAccount: { create: false, name: 'existing' } } });
    expect(ofKind(objects, 'ServiceAccount').map((o) => o.metadata.name)).toEqual([`${FULLNAME}-controllers`]);
    expect(subjects(find(objects, 'RoleBinding', FULLNAME))[0]?.name).toBe('existing');
  });
});

describe('RBAC', () => {
  const clusterPrefix = `${FULLNAME}-${NAMESPACE}`;

  it('binds each component namespaced rules from files/rbac-rules.yaml in the release namespace by default', () => {
    const objects = render();
    expect(rulesOf(find(objects, 'Role', FULLNAME))).toEqual(permissions(rules.controlPlane.namespaced));
    expect(rulesOf(find(objects, 'Role', `${FULLNAME}-controllers`))).toEqual(
      permissions(rules.controllers.namespaced),
    );
    expect(rulesOf(find(objects, 'Role', `${FULLNAME}-controllers-leader-election`))).toEqual(
      permissions(rules.controllers.leaderElection),
    );
    expect(roleRef(find(objects, 'RoleBinding', `${FULLNAME}-controllers`))).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: `${FULLNAME}-controllers`,
    });
    expect(rulesOf(find(objects, 'ClusterRole', `${clusterPrefix}-controllers-cluster`))).toEqual(
      permissions(rules.controllers.cluster),
    );
    expect(rulesOf(find(objects, 'ClusterRole', `${clusterPrefix}-cluster`))).toEqual(
      permissions(rules.controlPlane.cluster),
    );
    expect(
      ofKind(objects, 'ClusterRoleBinding')
        .map((b) => roleRef(b).name)
        .sort(),
    ).toEqual([`${clusterPrefix}-cluster`, `${clusterPrefix}-controllers-cluster`].sort());
  });

  it('accepts the release namespace named explicitly in namespaced mode', () => {
    expect(() => render({ controller: { namespaces: [NAMESPACE] } })).not.toThrow();
  });

  it('with several namespaces, binds ClusterRoles by a RoleBinding in each watched namespace only', () => {
    const objects = render({
      rbac: { clusterScoped: true },
      controller: { namespaces: ['team-a', 'team-b'] },
      orchestrationController: { namespaces: ['team-c'] },
    });
    expect(ofKind(objects, 'Role').map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      `${NAMESPACE}/${FULLNAME}-lease-reader`,
      `${NAMESPACE}/${FULLNAME}-controllers-leader-election`,
    ]);
    expect(rulesOf(find(objects, 'ClusterRole', `${clusterPrefix}-controllers`))).toEqual(
      permissions(rules.controllers.namespaced),
    );
    expect(rulesOf(find(objects, 'ClusterRole', clusterPrefix))).toEqual(permissions(rules.controlPlane.namespaced));
    const bindings = ofKind(objects, 'RoleBinding').filter((b) => roleRef(b).kind === 'ClusterRole');
    expect(bindings.map((b) => `${b.metadata.namespace}/${roleRef(b).name}`).sort()).toEqual(
      ['team-a', 'team-b', 'team-c']
        .flatMap((ns) => [`${ns}/${clusterPrefix}`, `${ns}/${clusterPrefix}-controllers`])
        .sort(),
    );
    expect(
      ofKind(objects, 'ClusterRoleBinding')
        .map((b) => roleRef(b).name)
        .sort(),
    ).toEqual([`${clusterPrefix}-cluster`, `${clusterPrefix}-controllers-cluster`].sort());
    expect(envValue(objects, 'controllers', 'JANGAR_ORCHESTRATION_CONTROLLER_NAMESPACES')).toBe('team-c');
  });

  it('with "*", binds the ClusterRoles cluster-wide and lets only the controllers list namespaces', () => {
    const objects = render({ rbac: { clusterScoped: true }, controller: { namespaces: ['*'] } });
    expect(ofKind(objects, 'RoleBinding').map((b) => b.metadata.name)).toEqual([
      `${FULLNAME}-lease-reader`,
      `${FULLNAME}-controllers-leader-election`,
    ]);
    expect(
      ofKind(objects, 'ClusterRoleBinding')
        .map((b) => roleRef(b).name)
        .sort(),
    ).toEqual(
      [
        clusterPrefix,
        `${clusterPrefix}-cluster`,
        `${clusterPrefix}-controllers`,
        `${clusterPrefix}-controllers-cluster`,
      ].sort(),
    );
    expect(rulesOf(find(objects, 'ClusterRole', `${clusterPrefix}-controllers-cluster`))).toEqual(
      permissions([...rules.controllers.cluster, ...rules.controllers.allNamespaces]),
    );
    expect(rulesOf(find(objects, 'ClusterRole', `${clusterPrefix}-cluster`))).toEqual(
      permissions(rules.controlPlane.cluster),
    );
  });

  it('appends rbac.extraRules to the component they name', () => {
    const extra = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] };
    const objects = render({ rbac: { extraRules: { controllers: [extra] } } });
    expect(rulesOf(find(objects, 'Role', `${FULLNAME}-controllers`))).toEqual(
      permissions([...rules.controllers.namespaced, extra]),
    );
    expect(rulesOf(find(objects, 'Role', FULLNAME))).toEqual(permissions(rules.controlPlane.namespaced));
  });

  it('puts the leader-election Role in the lease namespace, and none when leader election is off', () => {
    const moved = render({ controller: { leaderElection: { leaseNamespace: 'leases' } } });
    expect(find(moved, 'Role', `${FULLNAME}-controllers-leader-election`).metadata.namespace).toBe('leases');
    // The control plane reads the Lease where the controllers hold it.
    expect(find(moved, 'Role', `${FULLNAME}-lease-reader`).metadata.namespace).toBe('leases');
    expect(rulesOf(find(moved, 'Role', `${FULLNAME}-lease-reader`))).toEqual(
      permissions(rules.controlPlane.leaderElection),
    );
    const off = render({ controller: { leaderElection: { enabled: false } } });
    expect(ofKind(off, 'Role').map((r) => r.metadata.name)).not.toContain(`${FULLNAME}-controllers-leader-election`);
    expect(ofKind(off, 'Role').map((r) => r.metadata.name)).not.toContain(`${FULLNAME}-lease-reader`);
  });

  it('renders no RBAC objects with rbac.create=false', () => {
    const kinds = render({ rbac: { create: false } }).map((o) => o.kind);
    expect(kinds.filter((k) => /Role/.test(k))).toEqual([]);
  });
});

describe('images', () => {
  it('uses the tag, and pins the digest when one is set', () => {
    const objects = render({
      controlPlane: { image: { tag: '9.9.9', pullPolicy: 'Always', pullSecrets: ['ghcr'] } },
      controllers: { image: { repository: 'example.com/ctl', digest: DIGEST } },
    });
    expect(container(objects, 'control-plane')).toMatchObject({
      image: 'ghcr.io/proompteng/agents-control-plane:9.9.9',
      imagePullPolicy: 'Always',
    });
    expect(deployment(objects, 'control-plane').spec.template.spec.imagePullSecrets).toEqual([{ name: 'ghcr' }]);
    expect(container(objects, 'controllers').image).toBe(`example.com/ctl:${appVersion}@${DIGEST}`);
    expect(deployment(objects, 'controllers').spec.template.spec.imagePullSecrets).toBeUndefined();
  });

  it('accepts digests everywhere when imagePolicy.requireDigest is on', () => {
    const image = { digest: DIGEST };
    expect(() =>
      render({
        imagePolicy: { requireDigest: true },
        controlPlane: { image },
        controllers: { image },
        runner: { image },
      }),
    ).not.toThrow();
  });
});

describe('scaling and availability', () => {
  it.each(COMPONENTS)('replaces the %s replicas with an HPA when autoscaling is on', (component) => {
    const key = component === 'control-plane' ? 'controlPlane' : 'controllers';
    const objects = render({
      [key]: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4, targetMemoryUtilizationPercentage: 70 } },
    });
    const name = deployment(objects, component).metadata.name;
    expect(deployment(objects, component).spec.replicas).toBeUndefined();
    expect(spec(find(objects, 'HorizontalPodAutoscaler', name))).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    });
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(1);
  });

  it('sets replicas from replicaCount without autoscaling', () => {
    const objects = render({ controlPlane: { replicaCount: 3 } });
    expect(deployment(objects, 'control-plane').spec.replicas).toBe(3);
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('renders PodDisruptionBudgets with minAvailable, or maxUnavailable when set', () => {
    const objects = render({
      controlPlane: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
      controllers: { podDisruptionBudget: { enabled: true, maxUnavailable: '50%' } },
    });
    expect(spec(find(objects, 'PodDisruptionBudget', FULLNAME))).toEqual({
      minAvailable: 1,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'agents',
          'app.kubernetes.io/instance': RELEASE,
          'app.kubernetes.io/component': 'control-plane',
        },
      },
    });
    expect(spec(find(objects, 'PodDisruptionBudget', `${FULLNAME}-controllers`))).toMatchObject({
      maxUnavailable: '50%',
    });
    expect(spec(find(objects, 'PodDisruptionBudget', `${FULLNAME}-controllers`))).not.toHaveProperty('minAvailable');
  });

  it('fills in the topology spread label selector with the component pods', () => {
    const tsc = { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' };
    const objects = render({ controllers: { topologySpreadConstraints: [tsc] } });
    expect(deployment(objects, 'controllers').spec.template.spec.topologySpreadConstraints).toEqual([
      {
        ...tsc,
        labelSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'agents',
            'app.kubernetes.io/instance': RELEASE,
            'app.kubernetes.io/component': 'controllers',
          },
        },
      },
    ]);
  });

  it('passes scheduling values through to the pods', () => {
    const objects = render({
      controlPlane: {
        nodeSelector: { pool: 'system' },
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
        priorityClassName: 'high',
        terminationGracePeriodSeconds: 90,
        podAnnotations: { a: 'b' },
        podLabels: { team: 'x' },
      },
    });
    const d = deployment(objects, 'control-plane');
    expect(d.spec.template.spec).toMatchObject({
      nodeSelector: { pool: 'system' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: expect.any(Object) },
      priorityClassName: 'high',
      terminationGracePeriodSeconds: 90,
    });
    expect(d.spec.template.metadata.annotations).toEqual({ a: 'b' });
    expect(d.spec.template.metadata.labels.team).toBe('x');
    expect(d.spec.selector.matchLabels).not.toHaveProperty('team');
  });
});

describe('probes and resources', () => {
  it('renders a startup probe, changes probe settings and drops a disabled probe', () => {
    const objects = render({
      controllers: {
        startupProbe: { enabled: true, failureThreshold: 60 },
        livenessProbe: { enabled: false },
        readinessProbe: { path: '/ready-now', periodSeconds: 3 },
      },
    });
    const c = container(objects, 'controllers');
    expect(c.startupProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http' },
      initialDelaySeconds: 0,
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 60,
    });
    expect(c.livenessProbe).toBeUndefined();
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/ready-now', port: 'http' }, periodSeconds: 3 });
  });

  it('sets the container resources from the component values', () => {
    const objects = render({ controllers: { resources: { requests: { cpu: '1' }, limits: { memory: '2Gi' } } } });
    expect(container(objects, 'controllers').resources).toEqual({
      requests: { cpu: '1', memory: '256Mi' },
      limits: { memory: '2Gi' },
    });
  });
});

describe('Services, metrics and network policies', () => {
  it('drops the gRPC Service and port with grpc.enabled=false, and uses grpc.port and servicePort otherwise', () => {
    const off = render({ grpc: { enabled: false } });
    expect(ofKind(off, 'Service').map((s) => s.metadata.name)).not.toContain(`${FULLNAME}-grpc`);
    expect(container(off, 'control-plane').ports?.map((p) => p.name)).toEqual(['http']);
    const moved = render({ grpc: { port: 6000, servicePort: 443 } });
    expect(container(moved, 'control-plane').ports).toContainEqual({
      name: 'grpc',
      containerPort: 6000,
      protocol: 'TCP',
    });
    expect(spec<{ ports: { port: number }[] }>(find(moved, 'Service', `${FULLNAME}-grpc`)).ports[0]?.port).toBe(443);
  });

  it('sets the HTTP Service type, port, labels and annotations', () => {
    const objects = render({
      controlPlane: { service: { type: 'NodePort', port: 8081, labels: { x: 'y' }, annotations: { a: 'b' } } },
    });
    const svc = find(objects, 'Service', FULLNAME);
    expect(spec(svc)).toMatchObject({ type: 'NodePort', ports: [{ name: 'http', port: 8081, targetPort: 'http' }] });
    expect(svc.metadata.labels?.x).toBe('y');
    expect(svc.metadata.annotations).toEqual({ a: 'b' });
  });

  it('renders ServiceMonitors that scrape both metrics Services', () => {
    const objects = render({
      metrics: { path: '/prom', serviceMonitor: { enabled: true, namespace: 'monitoring', labels: { release: 'p' } } },
    });
    const monitors = ofKind(objects, 'ServiceMonitor');
    expect(monitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(
      [`monitoring/${FULLNAME}`, `monitoring/${FULLNAME}-controllers`].sort(),
    );
    const sm = spec<{
      endpoints: unknown[];
      namespaceSelector: unknown;
      selector: { matchLabels: Record<string, string> };
    }>(find(objects, 'ServiceMonitor', `${FULLNAME}-controllers`));
    expect(sm.endpoints).toEqual([
      { port: 'metrics', path: '/prom', interval: '30s', scrapeTimeout: '10s', honorLabels: false },
    ]);
    expect(sm.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    const svc = find(objects, 'Service', `${FULLNAME}-controllers-metrics`);
    expect(svc.metadata.labels).toMatchObject(sm.selector.matchLabels);
    expect(spec(svc)).toMatchObject({ ports: [{ name: 'metrics', port: 9090, targetPort: 'http', protocol: 'TCP' }] });
    expect(monitors[0]?.metadata.labels?.release).toBe('p');
  });

  it('renders no metrics Services or ServiceMonitors when metrics are off', () => {
    const objects = render({ metrics: { enabled: false } });
    expect(
      ofKind(objects, 'Service')
        .map((s) => s.metadata.name)
        .filter((n) => n.endsWith('-metrics')),
    ).toEqual([]);
  });

  it('renders NetworkPolicies that admit the listed peers to the HTTP (and gRPC) ports', () => {
    const from = [{ namespaceSelector: { matchLabels: { team: 'ops' } } }];
    const egress = [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }];
    const objects = render({ networkPolicy: { enabled: true, ingressFrom: from, egress } });
    expect(spec(find(objects, 'NetworkPolicy', FULLNAME))).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'agents',
          'app.kubernetes.io/instance': RELEASE,
          'app.kubernetes.io/component': 'control-plane',
        },
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          ports: [
            { port: 'http', protocol: 'TCP' },
            { port: 'grpc', protocol: 'TCP' },
          ],
          from,
        },
      ],
      egress,
    });
    expect(spec(find(objects, 'NetworkPolicy', `${FULLNAME}-controllers`))).toMatchObject({
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }], from }],
    });
  });

  it('leaves egress alone when no egress rules are given', () => {
    const objects = render({ networkPolicy: { enabled: true } });
    expect(spec(find(objects, 'NetworkPolicy', FULLNAME))).toMatchObject({
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [
            { port: 'http', protocol: 'TCP' },
            { port: 'grpc', protocol: 'TCP' },
          ],
        },
      ],
    });
  });
});

describe('env', () => {
  it('merges env.vars with the component env.vars, the component winning', () => {
    const objects = render({
      env: { vars: { SHARED: 'shared', BOTH: 'shared' } },
      controlPlane: { env: { vars: { BOTH: 'control-plane', ONLY_CP: 'x' } } },
      controllers: { env: { vars: { BOTH: 'controllers' } } },
    });
    expect(envValue(objects, 'control-plane', 'SHARED')).toBe('shared');
    expect(envValue(objects, 'controllers', 'SHARED')).toBe('shared');
    expect(envValue(objects, 'control-plane', 'BOTH')).toBe('control-plane');
    expect(envValue(objects, 'controllers', 'BOTH')).toBe('controllers');
    expect(envValue(objects, 'controllers', 'ONLY_CP')).toBeUndefined();
  });

  it('lets env.vars override a chart-derived variable, once', () => {
    const objects = render({ logging: { level: 'warn' }, env: { vars: { JANGAR_LOG_LEVEL: 'error' } } });
    expect(envValue(objects, 'control-plane', 'JANGAR_LOG_LEVEL')).toBe('error');
    expect(envValue(objects, 'controllers', 'JANGAR_LOG_LEVEL')).toBe('error');
  });

  it('keeps the controllers reserved variables out of the shared env.vars', () => {
    const shared = render({
      env: {
        vars: { JANGAR_MIGRATIONS: 'skip', JANGAR_GRPC_ENABLED: 'true', JANGAR_CONTROL_PLANE_CACHE_ENABLED: '1' },
      },
    });
    expect(envValue(shared, 'controllers', 'JANGAR_MIGRATIONS')).toBe('skip');
    expect(envValue(shared, 'controllers', 'JANGAR_GRPC_ENABLED')).toBe('0');
    expect(envValue(shared, 'controllers', 'JANGAR_CONTROL_PLANE_CACHE_ENABLED')).toBe('0');
    expect(envValue(shared, 'control-plane', 'JANGAR_MIGRATIONS')).toBe('skip');
    const own = render({
      controllers: { env: { vars: { JANGAR_MIGRATIONS: 'auto', JANGAR_CONTROL_PLANE_CACHE_ENABLED: '1' } } },
    });
    expect(envValue(own, 'controllers', 'JANGAR_MIGRATIONS')).toBe('auto');
    expect(envValue(own, 'controllers', 'JANGAR_CONTROL_PLANE_CACHE_ENABLED')).toBe('1');
  });

  it('renders numbers and booleans of env.vars as their literal text', () => {
    const objects = render({ env: { vars: { BIG: 1000000, FLAG: true } } });
    expect(envValue(objects, 'control-plane', 'BIG')).toBe('1000000');
    expect(envValue(objects, 'control-plane', 'FLAG')).toBe('true');
  });

  it('leaves JANGAR_GRPC_* to env.vars with grpc.manageEnvVar=false', () => {
    const objects = render({
      grpc: { manageEnvVar: false },
      controlPlane: { env: { vars: { JANGAR_GRPC_PORT: '7000' } } },
    });
    expect(envValue(objects, 'control-plane', 'JANGAR_GRPC_PORT')).toBe('7000');
    expect(envValue(objects, 'control-plane', 'JANGAR_GRPC_ENABLED')).toBeUndefined();
  });

  it('accepts env.vars that agree with grpc.* under grpc.manageEnvVar', () => {
    const objects = render({ env: { vars: { JANGAR_GRPC_ENABLED: '1', JANGAR_GRPC_PORT: '50051' } } });
    expect(envValue(objects, 'control-plane', 'JANGAR_GRPC_PORT')).toBe('50051');
  });

  it('reads env.secrets and env.config by key and envFrom the listed Secrets and ConfigMaps, on both components', () => {
    const objects = render({
      env: {
        secrets: [{ name: 'GITHUB_TOKEN', secretName: 'gh', key: 'token' }],
        config: [{ name: 'JANGAR_FLAGS', configMapName: 'flags', key: 'json' }],
      },
      envFromSecretRefs: ['runner-env'],
      envFromConfigMapRefs: ['shared-env'],
    });
    for (const c of COMPONENTS) {
      const env = envOf(objects, c);
      expect(env.get('GITHUB_TOKEN')).toEqual({
        name: 'GITHUB_TOKEN',
        valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } },
      });
      expect(env.get('JANGAR_FLAGS')).toEqual({
        name: 'JANGAR_FLAGS',
        valueFrom: { configMapKeyRef: { name: 'flags', key: 'json' } },
      });
      expect(container(objects, c).envFrom).toEqual([
        { secretRef: { name: 'runner-env' } },
        { configMapRef: { name: 'shared-env' } },
      ]);
    }
  });
});

describe('database and NATS', () => {
  it('creates the database Secret from database.url and rolls the control plane when it changes', () => {
    const a = render({
      database: { url: 'postgres://a@db/agents', createSecret: { enabled: true, annotations: { x: 'y' } } },
    });
    const b = render({
      database: { url: 'postgres://b@db/agents', createSecret: { enabled: true, annotations: { x: 'y' } } },
    });
    const secret = find(a, 'Secret', `${FULLNAME}-db`);
    expect(secret).toMatchObject({
      type: 'Opaque',
      stringData: { url: 'postgres://a@db/agents' },
      metadata: { annotations: { x: 'y' } },
    });
    const checksum = (o: K8sObject[], c: Component) =>
      deployment(o, c).spec.template.metadata.annotations?.['checksum/config'];
    expect(checksum(a, 'control-plane')).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum(b, 'control-plane')).not.toBe(checksum(a, 'control-plane'));
    expect(checksum(a, 'controllers')).toBeUndefined();
  });

  it('mounts the database CA for PGSSLROOTCERT on the control plane only', () => {
    const objects = render({ database: { secretRef: { name: 'db' }, caSecret: { name: 'db-ca' } } });
    const d = deployment(objects, 'control-plane');
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: 'database-ca',
      secret: { secretName: 'db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expect(container(objects, 'control-plane').volumeMounts).toContainEqual({
      name: 'database-ca',
      mountPath: '/etc/agents/ca',
      readOnly: true,
    });
    expect(deployment(objects, 'controllers').spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(envOf(objects, 'controllers').has('DATABASE_URL')).toBe(false);
  });

  it('stores a literal NATS password in a Secret both components read, and rolls both when it changes', () => {
    const values = (password: string) => ({ agentComms: { enabled: true, nats: { user: 'u', password } } });
    const a = render(values('one'));
    const b = render(values('two'));
    expect(find(a, 'Secret', `${FULLNAME}-nats`)).toMatchObject({ stringData: { username: 'u', password: 'one' } });
    for (const c of COMPONENTS) {
      const annotation = (o: K8sObject[]) => deployment(o, c).spec.template.metadata.annotations?.['checksum/config'];
      expect(annotation(a)).toMatch(/^[a-f0-9]{64}$/);
      expect(annotation(b)).not.toBe(annotation(a));
    }
  });

  it('creates no Secret when the credentials come from an existing one', () => {
    const objects = render({ agentComms: { enabled: true, nats: { userSecret: { name: 'nats' } } } });
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });
});

describe('extra volumes and the controllers toggle', () => {
  it('adds extraVolumes and extraVolumeMounts', () => {
    const objects = render({
      controllers: {
        extraVolumes: [{ name: 'ca', configMap: { name: 'ca-bundle' } }],
        extraVolumeMounts: [{ name: 'ca', mountPath: '/etc/ssl/custom', readOnly: true }],
      },
    });
    expect(deployment(objects, 'controllers').spec.template.spec.volumes).toContainEqual({
      name: 'ca',
      configMap: { name: 'ca-bundle' },
    });
    expect(container(objects, 'controllers').volumeMounts).toContainEqual({
      name: 'ca',
      mountPath: '/etc/ssl/custom',
      readOnly: true,
    });
  });

  it('renders nothing of the controllers with controllers.enabled=false', () => {
    const objects = render({
      controllers: { enabled: false, autoscaling: { enabled: true }, podDisruptionBudget: { enabled: true } },
      networkPolicy: { enabled: true },
      metrics: { serviceMonitor: { enabled: true } },
    });
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'controllers')).toEqual([]);
  });
});

describe('NOTES.txt', () => {
  function notes(values?: unknown, namespace = NAMESPACE): string {
    const args = ['install', RELEASE, CHART_DIR, '--dry-run=client', '--namespace', namespace];
    if (values !== undefined) args.push('-f', valuesFile(values));
    const res = helm(args);
    if (res.status !== 0) throw new Error(res.stderr);
    return res.stdout.slice(res.stdout.indexOf('NOTES:'));
  }

  it('tells how to check the install, try the examples and reach the control plane', () => {
    const text = notes({ database: { secretRef: { name: 'db' } } });
    expect(text).toContain(`kubectl -n ${NAMESPACE} rollout status deploy/${FULLNAME}-controllers`);
    expect(text).toContain(`helm pull oci://ghcr.io/proompteng/charts/agents --version ${chartYaml().version} --untar`);
    expect(text).toContain(`kubectl -n ${NAMESPACE} port-forward svc/${FULLNAME} 8080:80`);
    expect(text).toContain(`kubectl -n ${NAMESPACE} port-forward svc/${FULLNAME}-grpc 50051:50051`);
    // Commands agentctl has (run has no list subcommand: runs are listed with get).
    expect(text).toContain('agentctl --server 127.0.0.1:50051 status');
    expect(text).toContain(`agentctl --server 127.0.0.1:50051 -n ${NAMESPACE} get runs`);
    expect(text).not.toContain('WARNING');
  });

  it('warns when no database is configured or the controllers are off', () => {
    const text = notes({ controllers: { enabled: false }, grpc: { enabled: false } });
    expect(text).toContain('WARNING: no database is configured');
    expect(text).toContain('WARNING: controllers.enabled is false');
    expect(text).not.toContain('-grpc');
  });

  it('names the watched namespaces and the RBAC mode', () => {
    const text = notes({ rbac: { clusterScoped: true }, controller: { namespaces: ['team-a', 'team-b'] } });
    expect(text).toContain('Watched namespaces: team-a, team-b (RBAC: cluster-scoped).');
    expect(text).toContain('kubectl -n team-a apply -f /tmp/agents-chart/agents/examples/agentrun-job.yaml');
  });
});
