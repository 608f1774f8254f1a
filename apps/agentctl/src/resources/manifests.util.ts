// Multi-document YAML (or JSON) manifests → one object per document, each with the kind that serves it (pure).
import { parseAllDocuments } from 'yaml';
import { usageError } from '../cli.errors.js';
import type { KubeObj } from './kube-object.js';
import { describeResourceNames, findResource, type ResourceKind } from './resource-kinds.js';

export interface Manifest {
  /** `file.yaml (document 2)`: where the object came from, for messages. */
  source: string;
  kind: ResourceKind;
  name: string;
  namespace?: string;
  object: KubeObj;
}

function checkObject(value: unknown, source: string): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`${source}: expected a Kubernetes object (a mapping with apiVersion, kind and metadata)`);
  }
  const object = value as KubeObj;
  if (typeof object.kind !== 'string' || !object.kind) throw usageError(`${source}: missing "kind"`);
  if (typeof object.apiVersion !== 'string' || !object.apiVersion) {
    throw usageError(`${source}: missing "apiVersion" (${object.kind})`);
  }
  const kind = findResource(object.kind);
  if (!kind || kind.info.kind !== object.kind) {
    throw usageError(
      `${source}: agentctl cannot apply kind "${object.kind}"; it applies the Agents kinds: ` + describeResourceNames(),
    );
  }
  const name = object.metadata?.name;
  if (typeof name !== 'string' || !name) throw usageError(`${source}: ${object.kind} has no metadata.name`);
  const namespace = object.metadata?.namespace;
  if (namespace !== undefined && typeof namespace !== 'string') {
    throw usageError(`${source}: metadata.namespace of ${object.kind} ${name} must be a string`);
  }
  return { source, kind, name, object, ...(namespace ? { namespace } : {}) };
}

/** Parses every document of `text`; `List` documents are expanded; empty documents are skipped. */
export function parseManifests(text: string, file: string): Manifest[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Manifest[] = [];
  list.forEach((doc, i) => {
    const source = list.length > 1 ? `${file} (document ${i + 1})` : file;
    const error = doc.errors[0];
    if (error) throw usageError(`${source}: invalid YAML: ${error.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const items = (value as { kind?: unknown; items?: unknown }).items;
    if ((value as { kind?: unknown }).kind === 'List' && Array.isArray(items)) {
      items.forEach((item, j) => out.push(checkObject(item, `${source} item ${j + 1}`)));
      return;
    }
    out.push(checkObject(value, source));
  });
  return out;
}
