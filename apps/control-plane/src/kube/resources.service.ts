import { AGENT_RUN, ALL_KINDS, type KindInfo } from '@agents/api';
import { CUSTOM, type KubeApi, type KubeObjectLike } from '@agents/kube';
import { parseAllDocuments } from 'yaml';
import { AgentsError, fromKube, invalid } from '../errors.js';

export interface KubeList {
  apiVersion: 'v1';
  kind: 'List';
  items: KubeObjectLike[];
}

const FIELD_MANAGER = 'agentctl';
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function kindInfo(kind: string): KindInfo {
  const info = ALL_KINDS.find((k) => k.kind === kind);
  if (!info) throw new AgentsError('INVALID_ARGUMENT', `unknown kind ${kind}`);
  return info;
}

/** Reads and writes our custom resources through the Kubernetes API, with errors that name the bad field. */
export class ResourcesService {
  constructor(
    private readonly api: KubeApi,
    private readonly defaultNamespace: string,
    /** The namespaces this control plane serves (JANGAR_AGENTS_CONTROLLER_NAMESPACES); others are refused. */
    private readonly served: readonly string[] | '*' = '*',
  ) {}

  /** The namespace of a request (the default when empty); refused unless it is a served one. */
  namespaceOf(ns: string | undefined): string {
    const n = ns || this.defaultNamespace;
    if (!NAME.test(n) || n.length > 63) throw invalid('namespace', `${JSON.stringify(n)} is not a namespace name`);
    if (this.served !== '*' && !this.served.includes(n)) {
      throw new AgentsError(
        'PERMISSION_DENIED',
        `namespace ${n} is not served by this control plane (it serves ${this.served.join(', ')})`,
        [{ field: 'namespace', message: `must be one of ${this.served.join(', ')}` }],
      );
    }
    return n;
  }

  async list(kind: string, ns: string | undefined, labelSelector?: string): Promise<KubeList> {
    const namespace = this.namespaceOf(ns);
    try {
      const list = await this.api.listAll<KubeObjectLike>(CUSTOM[kind]!, namespace, {
        labelSelector: labelSelector || undefined,
      });
      return { apiVersion: 'v1', kind: 'List', items: list.items };
    } catch (err) {
      throw fromKube(err, `listing ${kindInfo(kind).plural} in ${namespace}`);
    }
  }

  async get<T = KubeObjectLike>(kind: string, ns: string | undefined, name: string): Promise<T> {
    const namespace = this.namespaceOf(ns);
    if (!name) throw invalid('name', 'is required');
    let obj: T | undefined;
    try {
      obj = await this.api.get<T>(CUSTOM[kind]!, namespace, name);
    } catch (err) {
      throw fromKube(err, `reading ${kind.toLowerCase()} ${name}`);
    }
    if (!obj) throw new AgentsError('NOT_FOUND', `${kind.toLowerCase()} ${name} not found in namespace ${namespace}`);
    return obj;
  }

  /** Server-side applies one object given as YAML or JSON; its kind must be the RPC's kind. */
  async apply(kind: string, ns: string | undefined, manifest: string, dryRun = false): Promise<KubeObjectLike> {
    const info = kindInfo(kind);
    const docs = parseAllDocuments(manifest ?? '').filter((d) => d.contents !== null);
    if (docs.length !== 1) throw invalid('manifest_yaml', `expected exactly one object, got ${docs.length}`);
    const doc = docs[0]!;
    if (doc.errors.length) throw invalid('manifest_yaml', `not valid YAML: ${doc.errors[0]!.message}`);
    let obj: KubeObjectLike & Record<string, unknown>;
    try {
      obj = doc.toJS() as KubeObjectLike & Record<string, unknown>;
    } catch (err) {
      // Aliases that do not resolve, or so many that they look like a "billion laughs" document.
      throw invalid('manifest_yaml', `cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw invalid('manifest_yaml', 'must be one object');
    if (obj.kind !== info.kind)
      throw invalid('kind', `expected ${info.kind}, got ${JSON.stringify(obj.kind)} (use the Apply RPC of that kind)`);
    if (obj.apiVersion !== info.apiVersion)
      throw invalid('apiVersion', `expected ${info.apiVersion}, got ${JSON.stringify(obj.apiVersion)}`);
    const name = obj.metadata?.name;
    if (!name) throw invalid('metadata.name', 'is required');
    const namespace = this.namespaceOf(ns || obj.metadata?.namespace);
    if (obj.metadata?.namespace && obj.metadata.namespace !== namespace) {
      throw invalid('metadata.namespace', `${obj.metadata.namespace} differs from the request namespace ${namespace}`);
    }
    const body = { ...obj, metadata: { ...obj.metadata, namespace } };
    delete (body as { status?: unknown }).status;
    try {
      return await this.api.apply<KubeObjectLike>(CUSTOM[kind]!, body, FIELD_MANAGER, { dryRun });
    } catch (err) {
      throw fromKube(err, `applying ${kind.toLowerCase()} ${name}`);
    }
  }

  async create<T = KubeObjectLike>(kind: string, obj: KubeObjectLike & Record<string, unknown>): Promise<T> {
    try {
      return await this.api.create<T>(CUSTOM[kind]!, obj, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      throw fromKube(err, `creating ${kind.toLowerCase()} ${obj.metadata?.name ?? obj.metadata?.generateName ?? ''}`);
    }
  }

  async patch<T = KubeObjectLike>(kind: string, ns: string, name: string, patch: unknown): Promise<T> {
    try {
      return await this.api.mergePatch<T>(CUSTOM[kind]!, ns, name, patch, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      throw fromKube(err, `updating ${kind.toLowerCase()} ${name}`);
    }
  }

  async delete(
    kind: string,
    ns: string | undefined,
    name: string,
  ): Promise<{ ok: boolean; message: string; json: string }> {
    const namespace = this.namespaceOf(ns);
    const obj = await this.get(kind, namespace, name);
    try {
      await this.api.delete(CUSTOM[kind]!, namespace, name, {
        propagationPolicy: kind === AGENT_RUN.kind ? 'Background' : undefined,
      });
    } catch (err) {
      throw fromKube(err, `deleting ${kind.toLowerCase()} ${name}`);
    }
    return { ok: true, message: `${kind.toLowerCase()} ${name} deleted`, json: JSON.stringify(obj) };
  }
}
