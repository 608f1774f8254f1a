import { CacheIndex } from './cache-index.js';
import type { InformerHandler } from './informer.js';
import type { KubeObjectLike } from './kube-api.js';

const pod = (name: string, ownerUid: string, phase = 'Pending'): KubeObjectLike & { status: { phase: string } } => ({
  metadata: { name, namespace: 'ns', ownerReferences: [{ uid: ownerUid }] as never },
  status: { phase },
});

describe('CacheIndex', () => {
  let handler!: InformerHandler<KubeObjectLike>;
  const index = new CacheIndex<KubeObjectLike>({ addHandler: (h) => ((handler = h), () => undefined) }, (o) =>
    (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
  );

  it('finds the objects of a key as the cache adds, updates and deletes them', () => {
    handler.onAdd!(pod('a-1', 'job-a'));
    handler.onAdd!(pod('a-2', 'job-a'));
    handler.onAdd!(pod('b-1', 'job-b'));
    expect(index.get('job-a').map((p) => p.metadata?.name)).toEqual(['a-1', 'a-2']);
    handler.onUpdate!(pod('a-1', 'job-a'), pod('a-1', 'job-a', 'Running'));
    expect(index.get('job-a').find((p) => p.metadata?.name === 'a-1')).toMatchObject({ status: { phase: 'Running' } });
    handler.onDelete!(pod('a-2', 'job-a'));
    handler.onDelete!(pod('b-1', 'job-b'));
    expect(index.get('job-a').map((p) => p.metadata?.name)).toEqual(['a-1']);
    expect(index.get('job-b')).toEqual([]);
  });

  it('moves an object whose key changed', () => {
    handler.onAdd!(pod('c-1', 'job-c'));
    handler.onUpdate!(pod('c-1', 'job-c'), pod('c-1', 'job-d'));
    expect(index.get('job-c')).toEqual([]);
    expect(index.get('job-d').map((p) => p.metadata?.name)).toEqual(['c-1']);
  });
});
