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
  watches: {
    events: WatchEvent<Obj>[];
    end: 'close' | 'gone' | 'error' | 'idle' | 'hang';
    /** The events wait for it (to act between the list and the watch's events). */
    after?: Promise<void>;
  }[] = [];
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
    await step.after;
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

  describe('how long its watch has been silent (silenceMs)', () => {
    const hour = 3_600_000;

    it('counts from start while watches fail, even when the relists they cause succeed', async () => {
      const api = new ScriptedApi();
      api.lists = [[obj('a', '1')]];
      // From the fifth failed watch on it relists (which succeeds) before each retry.
      api.watches = Array.from({ length: 6 }, () => ({ events: [], end: 'error' as const }));
      const startedAt = Date.now();
      const { informer } = start(api);
      await eventually(() => expect(api.watchCalls.length).toBe(7));
      expect(api.listCalls).toBeGreaterThanOrEqual(2);
      const later = Date.now() + hour;
      expect(informer.silenceMs(later)).toBeGreaterThanOrEqual(later - startedAt - 5);
      await informer.stop();
    });

    it('does not count watches that stay open and idle until the idle timeout (a stalled stream)', async () => {
      const api = new ScriptedApi();
      api.lists = [[]];
      api.watches = [
        { events: [], end: 'idle' },
        { events: [], end: 'idle' },
      ];
      const startedAt = Date.now();
      const { informer, restarts } = start(api);
      await eventually(() => expect(api.watchCalls.length).toBe(3));
      expect(restarts).toEqual(['idle', 'idle']);
      const later = Date.now() + hour;
      expect(informer.silenceMs(later)).toBeGreaterThanOrEqual(later - startedAt - 5);
      await informer.stop();
    });

    it('is reset by a bookmark alone', async () => {
      const api = new ScriptedApi();
      api.lists = [[]];
      let bookmark!: () => void;
      const due = new Promise<void>((r) => (bookmark = r));
      api.watches = [{ events: [{ type: 'BOOKMARK', object: obj('', '150') }], end: 'hang', after: due }];
      const { informer } = start(api);
      await eventually(() => expect(api.watchCalls.length).toBe(1));
      expect(informer.silenceMs(Date.now() + hour)).toBeGreaterThanOrEqual(hour);
      bookmark();
      await eventually(() => expect(informer.silenceMs(Date.now() + hour)).toBeLessThan(hour + 1000));
      await informer.stop();
    });
  });

  it('backs off a watch that ends at once with nothing in it, instead of re-watching in a tight loop', async () => {
    const api = new ScriptedApi();
    api.lists = [[]];
    api.watches = [
      { events: [], end: 'close' },
      { events: [], end: 'close' },
    ];
    const { informer, restarts } = start(api);
    await eventually(() => expect(api.watchCalls.length).toBe(3));
    expect(restarts).toEqual(['error', 'error']);
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

  it('shows a write of this process at once, and tells handlers when its watch event arrives, from the watched version', async () => {
    const api = new ScriptedApi();
    let release!: () => void;
    api.lists = [[obj('a', '5')]];
    api.watches = [
      {
        events: [
          { type: 'MODIFIED', object: obj('a', '7') },
          { type: 'MODIFIED', object: obj('a', '8') },
        ],
        end: 'hang',
        after: new Promise((r) => (release = r)),
      },
    ];
    const informer = new Informer<Obj>(api as unknown as KubeApi, {
      resource: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
      namespace: 'ns',
    });
    const updates: string[] = [];
    informer.addHandler({
      onUpdate: (p, o) => updates.push(`${p.metadata.resourceVersion}→${o.metadata.resourceVersion}`),
    });
    informer.start();
    await informer.waitForSync();

    informer.observeWrite(obj('a', '7'));
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('7');
    informer.observeWrite(obj('a', '6')); // older than what is cached: ignored
    informer.observeWrite(obj('b', '9')); // not cached (created, or out of the selector): left to the watch
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('7');
    expect(informer.get('ns', 'b')).toBeUndefined();
    expect(updates).toEqual([]);

    release();
    await eventually(() => expect(updates).toEqual(['5→7', '7→8']));
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('8');
    await informer.stop();
  });

  it('keeps an observed write over an older watch event, which handlers still hear of', async () => {
    const api = new ScriptedApi();
    let release!: () => void;
    api.lists = [[obj('a', '5')]];
    api.watches = [
      {
        events: [{ type: 'MODIFIED', object: obj('a', '6') }],
        end: 'hang',
        after: new Promise((r) => (release = r)),
      },
    ];
    const { informer, events } = start(api);
    await informer.waitForSync();
    informer.observeWrite(obj('a', '7'));
    release();
    await eventually(() => expect(events).toEqual(['add a@5', 'update a@6']));
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('7');
    await informer.stop();
  });
});
