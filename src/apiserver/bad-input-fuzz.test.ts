/**
 * Random bodies of every built-in kind, shaped by its schema and bent out of
 * it, sent as creates, then as merge, strategic merge and apply patches and
 * as replacements of what was created (object and status): whatever the
 * body, the answer is a Kubernetes Status with a 4xx code or a success,
 * never an unexpected 5xx. A failure names the kind, the seed and the body.
 * FUZZ_PER_KIND (default 12) and FUZZ_SEED (the first seed, default 0) widen
 * the search when run by hand.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, test } from 'node:test';
import { builtinScheme } from '../api/index.js';
import { Scheme } from '../api/scheme.js';
import { type TestAPIServer, startTestAPIServer } from '../testing/api-server.js';
import { RandomObjects, seededRandom } from '../testing/random-objects.js';

let s: TestAPIServer;
let agent: https.Agent;

before(async () => {
  s = await startTestAPIServer();
  agent = new https.Agent({ keepAlive: true, ca: s.credentials.caPEM, cert: s.credentials.certPEM, key: s.credentials.keyPEM });
  assert.equal((await send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } }))).status, 201);
});

after(async () => {
  agent.destroy();
  await s.stop();
});

function send(method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const u = new URL(s.url + path);
  return new Promise((resolve, reject) => {
    const req = https.request({ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, agent, headers: { 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Kinds a client creates: no reviews (answered, not stored) and no namespaces (cleanup would take a controller). */
const SKIPPED = new Set(['Namespace', 'TokenReview', 'SelfSubjectReview', 'SubjectAccessReview', 'SelfSubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview']);

test('random bodies of every built-in kind never get a 5xx, as creates or as patches', { timeout: 240_000 }, async () => {
  const scheme = builtinScheme();
  const failures: string[] = [];
  let requests = 0;
  let created = 0;
  let seed = Number(process.env.FUZZ_SEED ?? 0);
  const check = (what: string, r: { status: number; text: string }, body: string): void => {
    requests++;
    // Upstream answers some bodies with its untyped errors: 500 without a reason (a create naming a
    // resourceVersion, strategic merge patches its merge cannot apply). An unexpected failure is an InternalError.
    if (r.status === 500 && (JSON.parse(r.text) as { reason?: string }).reason === undefined) return;
    if (r.status >= 500 || r.status === 0) failures.push(`${what}: ${r.status} ${r.text.slice(0, 300)}\n    body: ${body.slice(0, 600)}`);
    else if (r.status >= 400) {
      const status = JSON.parse(r.text) as { kind?: string; code?: number };
      if (status.kind !== 'Status' || status.code !== r.status) failures.push(`${what}: ${r.status} is not a Status: ${r.text.slice(0, 200)}`);
    }
  };
  for (const rt of scheme.types()) {
    if (SKIPPED.has(rt.kind) || !rt.verbs.includes('create')) continue;
    const base = `${rt.group ? `/apis/${rt.group}` : '/api'}/${rt.version}${rt.namespaced ? '/namespaces/fuzz' : ''}/${rt.resource}`;
    const schema = Scheme.refOf(rt);
    for (let i = 0; i < Number(process.env.FUZZ_PER_KIND ?? 12); i++) {
      seed++;
      const gen = new RandomObjects(seededRandom(seed), scheme);
      const body = gen.value(schema);
      const name = `f${seed}`;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        const o = body as Record<string, unknown>;
        o.apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
        o.kind = rt.kind;
        // Most bodies carry a valid name, so validation gets past it to the rest of the object.
        if (gen.chance(0.8)) o.metadata = { ...(o.metadata && typeof o.metadata === 'object' ? o.metadata : {}), name, namespace: rt.namespaced ? 'fuzz' : undefined, resourceVersion: undefined, generateName: undefined };
      }
      const text = JSON.stringify(body);
      const r = await send('POST', base, text);
      check(`create ${rt.kind} seed ${seed}`, r, text);
      if (r.status !== 201) continue;
      created++;
      // The stored object then takes random patches of both kinds.
      const patch = JSON.stringify(gen.value(schema));
      check(`merge patch ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}`, patch, 'application/merge-patch+json'), patch);
      check(`strategic merge patch ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}`, patch, 'application/strategic-merge-patch+json'), patch);
      // A server-side apply and a replace with another random body of the kind.
      const other = gen.value(schema);
      if (other && typeof other === 'object' && !Array.isArray(other)) {
        const o = other as Record<string, unknown>;
        o.apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
        o.kind = rt.kind;
        o.metadata = { ...(o.metadata && typeof o.metadata === 'object' ? o.metadata : {}), name, namespace: rt.namespaced ? 'fuzz' : undefined, resourceVersion: undefined };
      }
      const applied = JSON.stringify(other);
      check(`apply ${rt.kind} seed ${seed}`, await send('PATCH', `${base}/${name}?fieldManager=fuzz&force=${gen.chance(0.5)}`, applied, 'application/apply-patch+yaml'), applied);
      check(`replace ${rt.kind} seed ${seed}`, await send('PUT', `${base}/${name}`, applied), applied);
      if (rt.subresources?.some((sr) => sr.name === 'status')) check(`replace status ${rt.kind} seed ${seed}`, await send('PUT', `${base}/${name}/status`, applied), applied);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${requests} requests failed:\n  ${failures.slice(0, 8).join('\n  ')}`);
  // The bodies must reach deep enough to matter: some creates succeed.
  assert.ok(created > 20, `only ${created} creates succeeded`);
  assert.ok(requests > 500, `only ${requests} requests`);
});
