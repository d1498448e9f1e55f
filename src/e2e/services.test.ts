/**
 * Services through kubectl against `k8ts server --sim-nodes 3`: the endpoint
 * and endpointslice controllers publish a ReplicaSet's pods behind a Service
 * with a named targetPort, follow scaling, and move a pod that stops being
 * ready to notReadyAddresses; the mirroring controller copies a selector-less
 * Service's hand-written Endpoints into an EndpointSlice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestServer, kubectlPath } from '../testing/server-harness.js';
import { applyObjects, ensureNamespace, pollUntil } from './kubectl-helpers.js';

const skip = kubectlPath() ? false : 'kubectl not installed (/usr/bin/kubectl)';

function replicaSet(name: string, replicas: number): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http-alt', containerPort: 8080 }] }] } },
    },
  };
}

function service(name: string): object {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http-alt' }] } };
}

describe('services: Endpoints and EndpointSlices', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start({ args: ['--sim-nodes', '3'] });
  });
  after(async () => {
    await s?.stop();
  });

  const jsonpath = async (args: string[], path: string) => (await s.k([...args, '-o', `jsonpath=${path}`])).split(/\s+/).filter(Boolean).sort();

  test('a ReplicaSet behind a Service with a named targetPort: endpoints follow pods, scaling and readiness', async () => {
    const ns = 'svc-e2e';
    await ensureNamespace(s, ns);
    await applyObjects(s, [replicaSet('web', 3), service('web')], { namespace: ns });
    const podIPs = () => jsonpath(['get', 'pods', '-n', ns, '-l', 'app=web', '--field-selector', 'status.phase=Running'], '{.items[*].status.podIP}');
    const ready = () => jsonpath(['get', 'endpoints', 'web', '-n', ns], '{.subsets[*].addresses[*].ip}');
    const ips = await pollUntil('3 running pods with IPs', async () => {
      const got = await podIPs();
      return got.length === 3 ? got : undefined;
    }, { timeoutMs: 20_000 });
    await pollUntil('3 ready endpoints', async () => (JSON.stringify(await ready()) === JSON.stringify(ips) ? true : undefined), { timeoutMs: 20_000 });

    const table = await s.k(['get', 'endpoints', 'web', '-n', ns]);
    const lines = table.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+ENDPOINTS\s+AGE$/);
    const listed = lines[1]!.split(/\s+/)[1]!.split(',').sort();
    assert.deepEqual(listed, ips.map((ip) => `${ip}:8080`));

    const slices = await pollUntil('a slice with 3 endpoints', async () => {
      const out = await s.k(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web']);
      return /\b(\d+\.\d+\.\d+\.\d+,){2}\d+\.\d+\.\d+\.\d+\b/.test(out) ? out : undefined;
    });
    const sliceLines = slices.trim().split('\n');
    assert.match(sliceLines[0]!, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    assert.equal(sliceLines.length, 2);
    const cols = sliceLines[1]!.split(/\s+/);
    assert.match(cols[0]!, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(cols.slice(1, 3), ['IPv4', '8080']);
    assert.deepEqual(cols[3]!.split(',').sort(), ips);
    const managedBy = await s.k(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[0].metadata.labels.endpointslice\\.kubernetes\\.io/managed-by} {.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}']);
    assert.equal(managedBy, 'endpointslice-controller.k8s.io Service/web');

    // A pod scripted to stop being ready moves to notReadyAddresses (and ready=false in its slice).
    const [victim] = (await s.k(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name} {.items[0].status.podIP}'])).split(' ');
    const victimIP = (await s.k(['get', 'pod', victim!, '-n', ns, '-o', 'jsonpath={.status.podIP}'])).trim();
    await s.k(['annotate', 'pod', victim!, '-n', ns, 'sim.k8ts.io/ready=false']);
    await pollUntil('the pod in notReadyAddresses', async () => {
      const notReady = await jsonpath(['get', 'endpoints', 'web', '-n', ns], '{.subsets[*].notReadyAddresses[*].ip}');
      return notReady.length === 1 && notReady[0] === victimIP && (await ready()).length === 2 ? true : undefined;
    });
    await pollUntil('ready=false in the slice', async () => {
      const out = await s.k(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web', '-o', `jsonpath={.items[*].endpoints[?(@.addresses[0]=="${victimIP}")].conditions.ready}`]);
      return out.trim() === 'false' ? true : undefined;
    });

    // Scaling down to one pod leaves one address in total.
    await s.k(['scale', 'rs', 'web', '-n', ns, '--replicas=1']);
    await pollUntil('one address', async () => {
      const all = [...(await ready()), ...(await jsonpath(['get', 'endpoints', 'web', '-n', ns], '{.subsets[*].notReadyAddresses[*].ip}'))];
      return all.length === 1 ? true : undefined;
    }, { timeoutMs: 20_000 });
    await pollUntil('one endpoint in slices', async () => {
      const eps = await jsonpath(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web'], '{.items[*].endpoints[*].addresses[0]}');
      return eps.length === 1 ? true : undefined;
    }, { timeoutMs: 20_000 });
  });

  test('a selector-less Service with manual Endpoints gets a mirrored EndpointSlice, removed with the Service', async () => {
    const ns = 'svc-mirror';
    await ensureNamespace(s, ns);
    await applyObjects(s, [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { ports: [{ name: 'pg', port: 5432 }] } },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }, { ip: '192.0.2.11' }], ports: [{ name: 'pg', port: 5432 }] }] },
    ], { namespace: ns });
    const selector = ['-l', 'kubernetes.io/service-name=ext,endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io'];
    const table = await pollUntil('a mirrored slice', async () => {
      const out = await s.k(['get', 'endpointslices', '-n', ns, ...selector]);
      return out.includes('192.0.2.10,192.0.2.11') ? out : undefined;
    });
    const [header, row, ...rest] = table.trim().split('\n');
    assert.match(header!, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    assert.deepEqual(rest, []);
    const cols = row!.split(/\s+/);
    assert.match(cols[0]!, /^ext-[a-z0-9]{5}$/);
    assert.deepEqual(cols.slice(1, 4), ['IPv4', '5432', '192.0.2.10,192.0.2.11']);
    const owner = await s.k(['get', 'endpointslices', '-n', ns, ...selector, '-o', 'jsonpath={.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}']);
    assert.equal(owner, 'Endpoints/ext');
    // The endpoint controller leaves a selector-less service's Endpoints alone, and no selector-driven slice appears.
    assert.deepEqual(await jsonpath(['get', 'endpoints', 'ext', '-n', ns], '{.subsets[*].addresses[*].ip}'), ['192.0.2.10', '192.0.2.11']);
    assert.equal((await s.k(['get', 'endpointslices', '-n', ns, '-l', 'endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io', '-o', 'name'])).trim(), '');

    await s.k(['delete', 'service', 'ext', '-n', ns]);
    await pollUntil('mirrored slice removed', async () => ((await s.k(['get', 'endpointslices', '-n', ns, ...selector, '-o', 'name'])).trim() === '' ? true : undefined));
  });
});
