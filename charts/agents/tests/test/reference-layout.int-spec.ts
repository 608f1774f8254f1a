// Values files written for the reference chart: its top-level keys stand for controlPlane.* (and its placement and
// security keys for the controllers' too; README, "Values files written for the reference chart").
import path from 'node:path';
import {
  CI_DIR,
  FULLNAME,
  container,
  deployment,
  envOf,
  find,
  render,
  renderError,
  type K8sObject,
} from '../src/chart.js';
import { valuesSchema } from '../src/schema.js';

const spec = <T>(o: K8sObject) => (o as unknown as { spec: T }).spec;

describe('the reference layout', () => {
  it('renders ci/reference-values.yaml (the reference defaults restated) as the default control plane', () => {
    const restated = deployment(
      render(undefined, { files: [path.join(CI_DIR, 'reference-values.yaml')] }),
      'control-plane',
    );
    const defaults = deployment(render(), 'control-plane');
    const c = restated.spec.template.spec.containers[0]!;
    // What the reference defaults say differently: the image tag `latest` and env.vars' PORT.
    expect(c.image).toBe('ghcr.io/proompteng/agents-control-plane:latest');
    const { image: _image, env: _env, ...rest } = c;
    const { image: _dImage, env: _dEnv, ...defaultRest } = defaults.spec.template.spec.containers[0]!;
    expect(rest).toEqual(defaultRest);
    expect({ ...restated.spec, template: undefined }).toEqual({ ...defaults.spec, template: undefined });
    const { containers: _c, ...podSpec } = restated.spec.template.spec;
    const { containers: _dc, ...defaultPodSpec } = defaults.spec.template.spec;
    expect(podSpec).toEqual(defaultPodSpec);
  });

  it('puts every top-level key on the control plane, and the placement and security ones on the controllers too', () => {
    const top = {
      replicaCount: 3,
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
      image: { repository: 'example.com/cp', tag: 'v9', pullPolicy: 'Always', pullSecrets: ['regcred'] },
      serviceAccount: { name: 'cp-from-top' },
      service: { port: 8081, annotations: { a: 'b' } },
      resources: { limits: { cpu: '2' } },
      podAnnotations: { team: 'infra' },
      podLabels: { tier: 'control' },
      securityContext: { fsGroup: 2000 },
      containerSecurityContext: { readOnlyRootFilesystem: false },
      nodeSelector: { pool: 'system' },
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      livenessProbe: { path: '/live', failureThreshold: 3 },
      readinessProbe: { periodSeconds: 4 },
      startupProbe: { enabled: true },
      deploymentStrategy: { type: 'Recreate' },
      deploymentLifecycle: { minReadySeconds: 5, progressDeadlineSeconds: 120, revisionHistoryLimit: 3 },
      lifecycle: { preStop: { sleep: { seconds: 5 } } },
      terminationGracePeriodSeconds: 45,
      podDisruptionBudget: { enabled: true, annotations: { note: 'pdb' } },
      extraVolumes: [
        { name: 'certs', volume: { secret: { secretName: 'certs' } } },
        { name: 'scratch', emptyDir: {} },
      ],
      extraVolumeMounts: [{ name: 'certs', mountPath: '/certs', subPath: 'tls' }],
    };
    const objects = render(top);
    const d = deployment(objects, 'control-plane');
    const pod = d.spec.template.spec as Record<string, unknown>;
    const c = container(objects, 'control-plane');

    // replicaCount gives way to the HPA (replicaCount alone: the next test).
    expect(d.spec.replicas).toBeUndefined();
    expect(spec(find(objects, 'HorizontalPodAutoscaler', FULLNAME))).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
    expect(d.spec).toMatchObject({
      strategy: { type: 'Recreate' },
      minReadySeconds: 5,
      progressDeadlineSeconds: 120,
      revisionHistoryLimit: 3,
    });
    expect(d.spec).not.toHaveProperty('strategy.rollingUpdate');
    expect(d.spec.template.metadata.annotations).toEqual({ team: 'infra' });
    expect(d.spec.template.metadata.labels.tier).toBe('control');
    expect(pod).toMatchObject({
      serviceAccountName: 'cp-from-top',
      imagePullSecrets: [{ name: 'regcred' }],
      securityContext: { fsGroup: 2000, runAsNonRoot: true },
      nodeSelector: { pool: 'system' },
      affinity: top.affinity,
      tolerations: top.tolerations,
      terminationGracePeriodSeconds: 45,
    });
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'certs', secret: { secretName: 'certs' } },
        { name: 'scratch', emptyDir: {} },
      ]),
    );
    expect(c).toMatchObject({
      image: 'example.com/cp:v9',
      imagePullPolicy: 'Always',
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '2', memory: '512Mi' } },
      securityContext: { readOnlyRootFilesystem: false, allowPrivilegeEscalation: false },
      livenessProbe: { httpGet: { path: '/live', port: 'http' }, failureThreshold: 3 },
      readinessProbe: { periodSeconds: 4 },
      startupProbe: { httpGet: { path: '/health', port: 'http' } },
      lifecycle: top.lifecycle,
    });
    expect(c.volumeMounts).toContainEqual({ name: 'certs', mountPath: '/certs', subPath: 'tls' });
    expect(find(objects, 'ServiceAccount', 'cp-from-top')).toBeDefined();
    expect(spec<{ ports: { port: number }[] }>(find(objects, 'Service', FULLNAME)).ports[0]!.port).toBe(8081);
    expect(find(objects, 'Service', FULLNAME).metadata.annotations).toEqual({ a: 'b' });
    expect(find(objects, 'PodDisruptionBudget', FULLNAME).metadata.annotations).toEqual({ note: 'pdb' });

    // The controllers take the pod placement, pod metadata and security settings, and keep the rest.
    const ctl = deployment(objects, 'controllers');
    expect(ctl.spec.template.spec).toMatchObject({
      securityContext: { fsGroup: 2000, runAsNonRoot: true },
      nodeSelector: { pool: 'system' },
      affinity: top.affinity,
      tolerations: top.tolerations,
      terminationGracePeriodSeconds: 45,
    });
    expect(ctl.spec.template.metadata.annotations).toEqual({ team: 'infra' });
    expect(ctl.spec.template.metadata.labels.tier).toBe('control');
    const ctlContainer = container(objects, 'controllers');
    expect(ctlContainer.securityContext).toMatchObject({ readOnlyRootFilesystem: false });
    const defaults = deployment(render(), 'controllers');
    expect({ ...ctl.spec, template: undefined }).toEqual({ ...defaults.spec, template: undefined });
    expect({ ...ctlContainer, securityContext: undefined }).toEqual({
      ...container(render(), 'controllers'),
      securityContext: undefined,
    });

    // Every key the schema accepts in this layout is covered above.
    const aliases = Object.entries(valuesSchema().properties ?? {})
      .filter(([, node]) => node['x-agents-alias-of'])
      .map(([k]) => k);
    expect(aliases.filter((k) => !(k in top))).toEqual([]);
  });

  it('adds up extra volumes and mounts of both layouts, and lets a component null remove a default', () => {
    const objects = render({
      extraVolumes: [{ name: 'top', volume: { emptyDir: {} } }],
      extraVolumeMounts: [{ name: 'top', mountPath: '/top' }],
      controlPlane: {
        extraVolumes: [{ name: 'own', emptyDir: {} }],
        extraVolumeMounts: [{ name: 'own', mountPath: '/own' }],
        autoscaling: { enabled: true, targetCPUUtilizationPercentage: null, targetMemoryUtilizationPercentage: 70 },
      },
      autoscaling: { targetCPUUtilizationPercentage: 80 },
      resources: { limits: null },
    });
    const pod = deployment(objects, 'control-plane').spec.template.spec as unknown as { volumes: { name: string }[] };
    expect(pod.volumes.map((v) => v.name)).toEqual(['tmp', 'top', 'own']);
    expect(container(objects, 'control-plane').volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp', '/top', '/own']);
    expect(container(objects, 'control-plane').resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' } });
    const hpa = spec<{ metrics: { resource: { name: string } }[] }>(find(objects, 'HorizontalPodAutoscaler', FULLNAME));
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(['memory']);
  });

  it('lets a controlPlane.* value that differs from its default win, and combines maps key by key', () => {
    const objects = render({
      replicaCount: 3,
      image: { repository: 'example.com/top', tag: 'top', pullPolicy: 'Always' },
      nodeSelector: { pool: 'top' },
      controlPlane: {
        replicaCount: 1, // the default: the top-level value applies
        image: { tag: 'cp', pullPolicy: '' }, // '' is the reference chart's "inherit"
        nodeSelector: { zone: 'a' },
      },
    });
    const d = deployment(objects, 'control-plane');
    expect(d.spec.replicas).toBe(3);
    expect(container(objects, 'control-plane')).toMatchObject({
      image: 'example.com/top:cp',
      imagePullPolicy: 'Always',
    });
    expect(d.spec.template.spec.nodeSelector).toEqual({ pool: 'top', zone: 'a' });
    expect(
      deployment(render({ controlPlane: { replicaCount: 2 }, replicaCount: 5 }), 'control-plane').spec.replicas,
    ).toBe(2);
  });

  it("pulls IfNotPresent when a component's pullPolicy is '' and nothing else is set", () => {
    const objects = render({ controlPlane: { image: { pullPolicy: '' } }, controllers: { image: { pullPolicy: '' } } });
    expect(container(objects, 'control-plane').imagePullPolicy).toBe('IfNotPresent');
    expect(container(objects, 'controllers').imagePullPolicy).toBe('IfNotPresent');
  });

  it('reads <component>.deploymentStrategy as <component>.strategy', () => {
    const objects = render({
      controllers: { deploymentStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
      controlPlane: { deploymentStrategy: { type: 'Recreate' } },
    });
    expect(deployment(objects, 'controllers').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    expect(deployment(objects, 'control-plane').spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('puts every namespaced object in namespaceOverride, and refuses one that is not a namespace name', () => {
    const objects = render({ namespaceOverride: 'team-x' });
    const namespaced = objects.filter((o) => !o.kind.startsWith('Cluster'));
    expect(namespaced.length).toBeGreaterThan(10);
    expect([...new Set(namespaced.map((o) => o.metadata.namespace))]).toEqual(['team-x']);
    expect(envOf(objects, 'controllers').get('JANGAR_AGENTS_CONTROLLER_NAMESPACES')?.value).toBe('team-x');
    expect(renderError({ namespaceOverride: 'Team X' })).toMatch(/\/namespaceOverride/);
  });

  it('refuses controllers.service.enabled: these controllers serve no gRPC', () => {
    expect(renderError({ controllers: { service: { enabled: true } } })).toContain(
      "controllers.service.enabled: the controllers serve no gRPC API (agentctl talks to the control plane's gRPC Service, grpc.*); set it to false",
    );
  });

  it('refuses a top-level key with the wrong type, naming it', () => {
    expect(renderError({ replicaCount: 'two' })).toMatch(/\/replicaCount/);
    expect(renderError({ extraVolumes: [{ volume: {} }] })).toMatch(/\/extraVolumes\/0/);
  });
});
