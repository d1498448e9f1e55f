/**
 * Watch and list semantics clients rely on: replay from a list's
 * resourceVersion, bookmarks, initial events, selector transitions, watches
 * across a restart, limit/continue paging, and optimistic concurrency.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { type AdminCredentials, type WatchEvent, WatchStream, eventually, readAdminCredentials, request, requestJSON } from './https-client.js';
import { waitForNamespaceDefaults } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';
const BOOKMARK_INTERVAL_MS = 300;

interface ConfigMap {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

interface List {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: ConfigMap[];
}

const cm = (name: string, extra: Partial<ConfigMap['metadata']> = {}, data?: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, ...(data ? { data } : {}) });
const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object.metadata.name}`);
/** The ConfigMap the root CA publisher puts in every namespace. */
const ROOT_CA = 'kube-root-ca.crt';

describe('watch, list paging and concurrency', { skip }, () => {
  let s: TestServer;
  let creds: AdminCredentials;
  const open: WatchStream[] = [];

  before(async () => {
    s = await TestServer.start({ env: { K8TS_WATCH_BOOKMARK_INTERVAL_MS: String(BOOKMARK_INTERVAL_MS) } });
    creds = readAdminCredentials(s.kubeconfig);
    const namespaces = ['w-replay', 'w-bookmark', 'w-initial', 'w-selector', 'w-paging', 'w-conflict', 'w-kubectl', 'w-restart'];
    const list = { apiVersion: 'v1', kind: 'List', items: namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })) };
    await s.k(['create', '-f', '-'], { input: JSON.stringify(list) });
    // Before any test takes a resourceVersion, so the controllers' writes cannot land midway.
    await waitForNamespaceDefaults(s, ...namespaces);
  });
  after(async () => {
    for (const w of open) w.close();
    await s?.stop();
  });

  async function create(ns: string, obj: ConfigMap): Promise<ConfigMap> {
    const r = await requestJSON<ConfigMap>(creds, `/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', body: JSON.stringify(obj) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }

  async function mergePatch(ns: string, name: string, patch: unknown): Promise<ConfigMap> {
    const r = await requestJSON<ConfigMap>(creds, `/api/v1/namespaces/${ns}/configmaps/${name}`, { method: 'PATCH', body: JSON.stringify(patch), headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  async function remove(ns: string, name: string): Promise<void> {
    const r = await request(creds, `/api/v1/namespaces/${ns}/configmaps/${name}`, { method: 'DELETE' });
    assert.equal(r.status, 200, r.text);
  }

  async function list(ns: string, query = ''): Promise<List> {
    const r = await requestJSON<List>(creds, `/api/v1/namespaces/${ns}/configmaps${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  async function watch(ns: string, query: string): Promise<WatchStream> {
    const w = await WatchStream.open(creds, `/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=60&${query}`);
    open.push(w);
    return w;
  }

  /** Writes a marker and waits for it: every event before it has then been delivered. */
  async function drain(ns: string, w: WatchStream, marker: ConfigMap): Promise<void> {
    await create(ns, marker);
    await w.waitFor(`marker ${marker.metadata.name}`, (ev) => ev.some((e) => e.object.metadata.name === marker.metadata.name));
  }

  test('a watch from a list resourceVersion gets exactly the later events, in order', async () => {
    const ns = 'w-replay';
    await create(ns, cm('a'));
    await create(ns, cm('b'));
    const rv = (await list(ns)).metadata.resourceVersion;
    const live = await watch(ns, `resourceVersion=${rv}`);
    await create(ns, cm('c'));
    await mergePatch(ns, 'a', { data: { k: 'v' } });
    await remove(ns, 'b');
    // A watch opened after the writes replays them from history.
    const replay = await watch(ns, `resourceVersion=${rv}`);
    await create(ns, cm('marker'));
    for (const [label, w] of [['live', live], ['replayed', replay]] as const) {
      await w.waitFor(`the marker on the ${label} watch`, (ev) => ev.some((e) => e.object.metadata.name === 'marker'));
      assert.deepEqual(summary(w.events), ['ADDED c', 'MODIFIED a', 'DELETED b', 'ADDED marker'], label);
      const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      assert.ok(rvs.every((v, i) => v > Number(rv) && (i === 0 || v > rvs[i - 1]!)), `${label}: resourceVersions rise: ${rvs}`);
    }
  });

  test('allowWatchBookmarks=true produces BOOKMARK events carrying only a resourceVersion', async () => {
    const ns = 'w-bookmark';
    const created = await create(ns, cm('x'));
    const w = await watch(ns, `resourceVersion=${created.metadata.resourceVersion}&allowWatchBookmarks=true`);
    await w.waitFor('a bookmark', (ev) => ev.some((e) => e.type === 'BOOKMARK'), 10 * BOOKMARK_INTERVAL_MS + 5000);
    const bm = w.events.find((e) => e.type === 'BOOKMARK')!;
    assert.equal(bm.object.kind, 'ConfigMap');
    assert.equal(bm.object.apiVersion, 'v1');
    assert.deepEqual(Object.keys(bm.object.metadata), ['resourceVersion']);
    assert.ok(Number(bm.object.metadata.resourceVersion) >= Number(created.metadata.resourceVersion));
    // Without the flag there are none, even over several intervals.
    const plain = await watch(ns, `resourceVersion=${created.metadata.resourceVersion}`);
    await w.waitFor('a second bookmark', (ev) => ev.filter((e) => e.type === 'BOOKMARK').length >= 3, 10 * BOOKMARK_INTERVAL_MS + 5000);
    await drain(ns, plain, cm('marker'));
    assert.deepEqual(summary(plain.events), ['ADDED marker']);
  });

  test('sendInitialEvents gives ADDED for existing objects, then the initial-events-end bookmark', async () => {
    const ns = 'w-initial';
    for (const n of ['i1', 'i2', 'i3']) await create(ns, cm(n));
    const rv = (await list(ns)).metadata.resourceVersion;
    const w = await watch(ns, 'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
    await w.waitFor('the initial-events-end bookmark', (ev) => ev.some((e) => e.type === 'BOOKMARK' && e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true'));
    const end = w.events.findIndex((e) => e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true');
    const initial = w.events.slice(0, end).filter((e) => e.type !== 'BOOKMARK');
    assert.deepEqual(summary(initial).sort(), ['ADDED i1', 'ADDED i2', 'ADDED i3', `ADDED ${ROOT_CA}`]);
    assert.ok(Number(w.events[end]!.object.metadata.resourceVersion) >= Number(rv), 'the bookmark is not older than the state it announces');
    await mergePatch(ns, 'i2', { data: { k: 'v' } });
    await w.waitFor('the later change', (ev) => ev.slice(end + 1).some((e) => e.type === 'MODIFIED'));
    assert.deepEqual(summary(w.events.slice(end + 1).filter((e) => e.type !== 'BOOKMARK')), ['MODIFIED i2']);

    const invalid = await requestJSON<{ code: number; reason: string; message: string }>(creds, `/api/v1/namespaces/${ns}/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true`);
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.reason, 'Invalid');
    assert.match(invalid.body.message, /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/);
  });

  test('a label-selector watch turns label changes into ADDED and DELETED', async () => {
    const ns = 'w-selector';
    const w = await watch(ns, 'labelSelector=color%3Dred');
    await create(ns, cm('l1', { labels: { color: 'blue' } }));
    await mergePatch(ns, 'l1', { metadata: { labels: { color: 'red' } } });
    await mergePatch(ns, 'l1', { data: { k: 'v' } });
    await mergePatch(ns, 'l1', { metadata: { labels: { color: 'green' } } });
    await remove(ns, 'l1');
    await drain(ns, w, cm('marker', { labels: { color: 'red' } }));
    assert.deepEqual(summary(w.events), ['ADDED l1', 'MODIFIED l1', 'DELETED l1', 'ADDED marker']);
    assert.equal(w.events[2]!.object.metadata.labels?.color, 'red', 'DELETED carries the last state that matched');
  });

  test('limit/continue pages through 25 objects exactly once, at one snapshot', async () => {
    const ns = 'w-paging';
    const items = Array.from({ length: 25 }, (_, i) => cm(`page-${String(i).padStart(2, '0')}`));
    await s.k(['create', '-n', ns, '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    const seen: string[] = [];
    const pages: List[] = [];
    let cont = '';
    do {
      const page = await list(ns, `?limit=10${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      pages.push(page);
      seen.push(...page.items.map((i) => i.metadata.name));
      cont = page.metadata.continue ?? '';
      // A write between pages must not show up in the pages still to come.
      if (pages.length === 1) await create(ns, cm('page-99-late'));
    } while (cont);
    // 26 in all: ours and the root CA bundle, which sorts first.
    assert.deepEqual(pages.map((p) => p.items.length), [10, 10, 6]);
    assert.deepEqual(pages.map((p) => p.metadata.remainingItemCount), [16, 6, undefined]);
    assert.deepEqual(seen, [ROOT_CA, ...items.map((i) => i.metadata.name)]);
    assert.equal(new Set(pages.map((p) => p.metadata.resourceVersion)).size, 1, 'every page is served at the first page\'s resourceVersion');

    const chunked = await s.k(['get', 'cm', '-n', ns, '--chunk-size=10', '-o', 'name']);
    assert.equal(chunked.trim().split('\n').length, 27);

    // A token is opaque to clients; these are what a client could corrupt it into.
    const forged = (token: Record<string, unknown>) => Buffer.from(JSON.stringify(token)).toString('base64url');
    const badTokens = [
      { name: 'not base64 JSON', token: 'not-a-token' },
      { name: 'zero resourceVersion', token: forged({ v: 'meta.k8s.io/v1', rv: 0, start: 'page-05\u0000' }) },
      { name: 'path traversal', token: forged({ v: 'meta.k8s.io/v1', rv: Number(pages[0]!.metadata.resourceVersion), start: '../../secrets/' }) },
      { name: 'unknown version', token: forged({ v: 'meta.k8s.io/v0', rv: 5, start: 'x' }) },
    ];
    for (const c of badTokens) {
      const r = await requestJSON<{ code: number; reason: string; message: string }>(creds, `/api/v1/namespaces/${ns}/configmaps?limit=10&continue=${encodeURIComponent(c.token)}`);
      assert.equal(r.status, 400, c.name);
      assert.equal(r.body.reason, 'BadRequest', c.name);
      assert.match(r.body.message, /^continue key is not valid: /, c.name);
    }
  });

  test('two writers with the same resourceVersion: exactly one wins, the other gets 409', async () => {
    const ns = 'w-conflict';
    await create(ns, cm('shared', {}, { writer: 'none' }));
    for (let round = 0; round < 5; round++) {
      const current = (await requestJSON<ConfigMap>(creds, `/api/v1/namespaces/${ns}/configmaps/shared`)).body;
      const put = (writer: string) =>
        requestJSON<{ code?: number; reason?: string; message?: string; data?: Record<string, string> }>(creds, `/api/v1/namespaces/${ns}/configmaps/shared`, {
          method: 'PUT',
          body: JSON.stringify({ ...current, data: { writer } }),
        });
      // Distinct values each round: a write equal to the stored object is a no-op that succeeds.
      const results = await Promise.all([put(`one-${round}`), put(`two-${round}`)]);
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 409], `round ${round}`);
      const loser = results.find((r) => r.status === 409)!;
      assert.equal(loser.body.reason, 'Conflict');
      assert.equal(loser.body.message, 'Operation cannot be fulfilled on configmaps "shared": the object has been modified; please apply your changes to the latest version and try again');
      const winner = results.find((r) => r.status === 200)!;
      const stored = (await requestJSON<ConfigMap>(creds, `/api/v1/namespaces/${ns}/configmaps/shared`)).body;
      assert.deepEqual(stored.data, winner.body.data, `round ${round}: the winner's write is the stored one`);
    }
  });

  test('kubectl get -w --output-watch-events prints the event stream', async () => {
    const ns = 'w-kubectl';
    await create(ns, cm('before'));
    const child = spawn(kubectlPath()!, ['get', 'cm', '-n', ns, '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: s.kubeconfig } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually('the initial listing', async () => (out.includes(ROOT_CA) ? true : undefined));
      await create(ns, cm('during', {}, { v: '1' }));
      await mergePatch(ns, 'during', { data: { w: '2' } });
      await remove(ns, 'during');
      await eventually('the deletion', async () => (out.includes('DELETED') ? true : undefined));
      // The AGE column depends on timing; the rest is exact.
      const lines = out.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 3));
      assert.deepEqual(lines, [
        ['EVENT', 'NAME', 'DATA'],
        ['ADDED', 'before', '0'],
        ['ADDED', ROOT_CA, '1'],
        ['ADDED', 'during', '1'],
        ['MODIFIED', 'during', '2'],
        ['DELETED', 'during', '2'],
      ]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  // Last: it restarts the shared server.
  test('after a restart, a watch from an old resourceVersion resumes with every missed event or gets 410', async () => {
    const ns = 'w-restart';
    await create(ns, cm('r0'));
    const rv0 = (await list(ns)).metadata.resourceVersion;
    const acrossRestart = await watch(ns, `resourceVersion=${rv0}`);
    await create(ns, cm('r1'));
    await acrossRestart.waitFor('r1 before the restart', (ev) => ev.some((e) => e.object.metadata.name === 'r1'));
    await s.restart();
    await eventually('the stream to end with the old server', async () => (acrossRestart.ended ? true : undefined));
    await create(ns, cm('r2'));
    const w = await watch(ns, `resourceVersion=${rv0}`);
    await w.waitFor('r2 or an error', (ev) => ev.some((e) => e.type === 'ERROR' || e.object.metadata.name === 'r2'));
    if (w.events[0]!.type === 'ERROR') {
      assert.equal(w.events.length, 1);
      assert.equal(w.events[0]!.object.code, 410);
      assert.match(w.events[0]!.object.message ?? '', /too old resource version/);
    } else {
      assert.deepEqual(summary(w.events.slice(0, 2)), ['ADDED r1', 'ADDED r2'], 'resumes with the missed events, in order');
    }
    // A client that re-lists and watches from the new list resourceVersion sees later changes.
    const relisted = await list(ns);
    assert.deepEqual(relisted.items.map((i) => i.metadata.name), [ROOT_CA, 'r0', 'r1', 'r2']);
    const fresh = await watch(ns, `resourceVersion=${relisted.metadata.resourceVersion}`);
    await drain(ns, fresh, cm('r3'));
    assert.deepEqual(summary(fresh.events), ['ADDED r3']);
  });
});
