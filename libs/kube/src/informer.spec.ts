import { KubeApiError } from './errors.js';
import { WatchIdleError, type KubeApi, type ObjectList, type WatchEvent } from './kube-api.js';
import { eventually } from '@agents/testing';
import { Informer } from './informer.js';

type Obj = { metadata: { name: string; namespace: string; resourceVersion: string } };
const obj = (name: string, rv: string): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

/**
 * A scripted API: each list returns the next snapshot; each watch plays the next script step (events, then an end:
 * a clean close, an error, or a hang until aborted).
 */
class ScriptedApi {
  lists: Obj[][] = [];
  watches: { events: WatchEvent<Obj>[]; end: 'close' | 'gone' | 'error' | 'idle' | 'hang' }[] = [];
  listCalls = 0;
  watchCalls: (string | undefined)[] = [];

  async listAll(): Promise<ObjectList<Obj>> {
    const items = this.lists[Math.min(this.listCalls, this.lists.length - 1)] ?? [];
    this.listCalls += 1;
    return { items, metadata: { resourceVersion: String(100 * this.listCalls) } };
  }

  async watch(
    _r: unknown,
    _ns: unknown,
    opts: { resourceVersion?: string },
    onEvent: (e: WatchEvent<Obj>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.watchCalls.push(opts.resourceVersion);
    const step = this.watches.shift() ?? { events: [], end: 'hang' as const };
    for (const e of step.events) onEvent(e);
    if (step.end === 'gone') throw new KubeApiError(410, 'Expired', 'too old resource version', 'WATCH', '/x');
    if (step.end === 'error') throw new Error('connection reset');
    if (step.end === 'idle') throw new WatchIdleError('watch /x: nothing received for 75000 ms');
    if (step.end === 'hang') await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
  }
}

function start(api: ScriptedApi, backoffMs = 1) {
  const events: string[] = [];
  const restarts: string[] = [];
  const informer = new Informer<Obj>(api as unknown as KubeApi, {
    resource: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
    namespace: 'ns',
    backoffBaseMs: backoffMs,
    backoffMaxMs: backoffMs * 2,
    onRestart: (reason) => restarts.push(reason),
  });
  informer.addHandler({
    onAdd: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (_p, o) => events.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  informer.start();
  return { informer, events, restarts };
}

describe('Informer', () => {
  it('lists, then follows the watch from the list resourceVersion, bookmarks included', async () => {
    const api = new ScriptedApi();
    api.lists = [[obj('a', '1')]];
    api.watches = [
      {
        events: [
          { type: 'ADDED', object: obj('b', '2') },
          { type: 'BOOKMARK', object: obj('', '150') },
        ],
        end: 'close',
      },
      {
        events: [
          { type: 'MODIFIED', object: obj('a', '160') },
          { type: 'DELETED', object: obj('b', '161') },
        ],
        end: 'hang',
      },
    ];
    const { informer, events } = start(api);
    await eventually(() => expect(events).toEqual(['add a@1', 'add b@2', 'update a@160', 'delete b']));
    expect(api.watchCalls.slice(0, 2)).toEqual(['100', '150']);
    expect(informer.list().map((o) => o.metadata.name)).toEqual(['a']);
    await informer.stop();
  });

  it('relists on 410 Gone and emits only what changed meanwhile, deletes included', async () => {
    const api = new ScriptedApi();
    api.lists = [
      [obj('keep', '1'), obj('change', '1'), obj('gone', '1')],
      [obj('keep', '1'), obj('change', '7'), obj('new', '8')],
    ];
    api.watches = [{ events: [], end: 'gone' }];
    const { informer, events } = start(api);
    await eventually(() => expect(api.listCalls).toBe(2));
    await eventually(() =>
      expect(events).toEqual([
        'add keep@1',
        'add change@1',
        'add gone@1',
        'update change@7',
        'add new@8',
        'delete gone',
      ]),
    );
    await informer.stop();
  });

  it('restarts the watch after any other error instead of stopping', async () => {
    const api = new ScriptedApi();
    api.lists = [[]];
    api.watches = [
      { events: [], end: 'error' },
      { events: [], end: 'error' },
      { events: [{ type: 'ADDED', object: obj('late', '3') }], end: 'hang' },
    ];
    const { informer, events } = start(api);
    await eventually(() => expect(events).toEqual(['add late@3']));
    expect(api.watchCalls.length).toBe(3);
    await informer.stop();
  });

  it('re-watches at once, from where it was, after an idle (presumed half-open) watch: no backoff, no relist', async () => {
    const api = new ScriptedApi();
    api.lists = [[]];
    api.watches = [
      { events: [{ type: 'BOOKMARK', object: obj('', '120') }], end: 'idle' },
      { events: [], end: 'idle' },
      { events: [{ type: 'ADDED', object: obj('after', '130') }], end: 'hang' },
    ];
    // A backoff of a minute would time the test out: idle aborts must not wait for one.
    const { informer, events, restarts } = start(api, 60_000);
    await eventually(() => expect(events).toEqual(['add after@130']));
    expect(api.watchCalls).toEqual(['100', '120', '120']);
    expect(api.listCalls).toBe(1);
    expect(restarts).toEqual(['idle', 'idle']);
    await informer.stop();
  });

  it('ignores an event for a version it already holds (replays are not changes)', async () => {
    const api = new ScriptedApi();
    api.lists = [[obj('a', '5')]];
    api.watches = [{ events: [{ type: 'MODIFIED', object: obj('a', '5') }], end: 'hang' }];
    const { informer, events } = start(api);
    await eventually(() => expect(api.watchCalls.length).toBe(1));
    expect(events).toEqual(['add a@5']);
    await informer.stop();
  });
});
