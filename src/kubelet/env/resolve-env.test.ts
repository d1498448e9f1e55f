import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMapT, ContainerT, PodT, SecretT } from '../../api/core/v1/types.js';
import { type EnvDeps, resolveEnv } from './resolve-env.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const configMaps: Record<string, ConfigMapT> = {
  app: { metadata: { name: 'app', namespace: 'ns1' }, data: { MODE: 'prod', 'log.level': 'debug', '1BAD': 'x', 'has space': 'y' } },
};
const secrets: Record<string, SecretT> = {
  creds: { metadata: { name: 'creds', namespace: 'ns1' }, data: { PASSWORD: b64('s3cr3t'), 'bad=key': b64('z') } },
};

function deps(extra: Partial<EnvDeps> = {}): EnvDeps {
  return {
    configMap: async (ns, name) => (ns === 'ns1' ? configMaps[name] : undefined),
    secret: async (ns, name) => (ns === 'ns1' ? secrets[name] : undefined),
    node: { name: 'node-a', ip: '192.168.1.10', ips: ['192.168.1.10', 'fd00::10'], allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' } },
    podIPs: ['10.244.0.7', 'fd01::7'],
    ...extra,
  };
}

function pod(): PodT {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'ns1', uid: 'uid-123', labels: { app: 'web', tier: 'fe' }, annotations: { 'example.com/note': 'a "quoted" note' } },
    spec: { nodeName: 'node-a', serviceAccountName: 'builder', containers: [] },
  };
}

function container(env: ContainerT['env'], extra: Partial<ContainerT> = {}): ContainerT {
  return { name: 'c', image: 'busybox', env, resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } }, ...extra };
}

async function value(env: ContainerT['env'], name: string, extra: Partial<ContainerT> = {}): Promise<string | undefined> {
  const r = await resolveEnv(pod(), container(env, extra), deps());
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.envs.find((e) => e.key === name)?.value;
}

describe('resolveEnv values', () => {
  const field = (fieldPath: string) => [{ name: 'V', valueFrom: { fieldRef: { fieldPath } } }];
  const res = (resource: string, divisor?: string) => [{ name: 'V', valueFrom: { resourceFieldRef: { resource, divisor } } }];
  const cases: { name: string; env: ContainerT['env']; want: string | undefined; extra?: Partial<ContainerT> }[] = [
    { name: 'literal value', env: [{ name: 'V', value: 'plain' }], want: 'plain' },
    { name: 'expansion of an earlier variable', env: [{ name: 'A', value: 'x' }, { name: 'V', value: '$(A)-$(A)' }], want: 'x-x' },
    { name: 'later variables are not visible', env: [{ name: 'V', value: '$(B)' }, { name: 'B', value: 'b' }], want: '$(B)' },
    { name: 'escaped reference', env: [{ name: 'A', value: 'x' }, { name: 'V', value: '$$(A)' }], want: '$(A)' },
    { name: 'fieldRef metadata.name', env: field('metadata.name'), want: 'web-1' },
    { name: 'fieldRef metadata.namespace', env: field('metadata.namespace'), want: 'ns1' },
    { name: 'fieldRef metadata.uid', env: field('metadata.uid'), want: 'uid-123' },
    { name: 'fieldRef one label', env: field("metadata.labels['tier']"), want: 'fe' },
    { name: 'fieldRef missing label is empty', env: field("metadata.labels['nope']"), want: '' },
    { name: 'fieldRef one annotation', env: field("metadata.annotations['example.com/note']"), want: 'a "quoted" note' },
    { name: 'fieldRef all labels', env: field('metadata.labels'), want: 'app="web"\ntier="fe"' },
    { name: 'fieldRef spec.nodeName', env: field('spec.nodeName'), want: 'node-a' },
    { name: 'fieldRef spec.serviceAccountName', env: field('spec.serviceAccountName'), want: 'builder' },
    { name: 'fieldRef status.podIP', env: field('status.podIP'), want: '10.244.0.7' },
    { name: 'fieldRef status.podIPs', env: field('status.podIPs'), want: '10.244.0.7,fd01::7' },
    { name: 'fieldRef status.hostIP', env: field('status.hostIP'), want: '192.168.1.10' },
    { name: 'fieldRef status.hostIPs', env: field('status.hostIPs'), want: '192.168.1.10,fd00::10' },
    { name: 'limits.cpu in cores rounds up', env: res('limits.cpu'), want: '1' },
    { name: 'limits.cpu in millicores', env: res('limits.cpu', '1m'), want: '500' },
    { name: 'limits.memory in Mi', env: res('limits.memory', '1Mi'), want: '64' },
    { name: 'requests.memory in bytes', env: res('requests.memory'), want: String(32 * 1024 * 1024) },
    { name: 'requests.cpu in millicores', env: res('requests.cpu', '1m'), want: '250' },
    { name: 'limits.memory defaults to allocatable', env: res('limits.memory', '1Gi'), want: '8', extra: { resources: {} } },
    { name: 'limits.cpu defaults to allocatable', env: res('limits.cpu'), want: '4', extra: { resources: {} } },
    { name: 'limits.ephemeral-storage defaults to allocatable', env: res('limits.ephemeral-storage', '1Gi'), want: '100' },
    { name: 'configMapKeyRef', env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'app', key: 'MODE' } } }], want: 'prod' },
    { name: 'secretKeyRef is decoded', env: [{ name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } }], want: 's3cr3t' },
    { name: 'optional missing config map skips the variable', env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }], want: undefined },
    { name: 'optional missing key skips the variable', env: [{ name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope', optional: true } } }], want: undefined },
    { name: 'env overrides envFrom', env: [{ name: 'MODE', value: 'dev' }, { name: 'V', value: '$(MODE)' }], want: 'dev', extra: { envFrom: [{ configMapRef: { name: 'app' } }] } },
    { name: 'envFrom values are visible to expansion', env: [{ name: 'V', value: '[$(CFG_MODE)]' }], want: '[prod]', extra: { envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'app' } }] } },
    { name: 'service variables are visible to expansion', env: [{ name: 'V', value: '$(WEB_SERVICE_HOST)' }], want: '10.96.0.5' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await resolveEnv(pod(), container(c.env, c.extra), deps({ serviceEnv: [{ key: 'WEB_SERVICE_HOST', value: '10.96.0.5' }] }));
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.equal(r.envs.find((e) => e.key === 'V')?.value, c.want);
    });
  }

  test('envFrom secret and config map with invalid keys skipped and reported', async () => {
    const r = await resolveEnv(pod(), container([], { envFrom: [{ configMapRef: { name: 'app' } }, { secretRef: { name: 'creds' } }] }), deps());
    assert.ok(r.ok);
    assert.deepEqual(r.envs.map((e) => e.key).sort(), ['MODE', 'PASSWORD', 'log.level']);
    assert.deepEqual(r.events.map((e) => e.message), [
      'Keys [1BAD, has space] from the EnvFrom configMap ns1/app were skipped since they are considered invalid environment variable names.',
      'Keys [bad=key] from the EnvFrom secret ns1/creds were skipped since they are considered invalid environment variable names.',
    ]);
  });

  test('service variables follow and do not override container variables', async () => {
    const r = await resolveEnv(pod(), container([{ name: 'A', value: '1' }, { name: 'SVC_HOST', value: 'mine' }]), deps({ serviceEnv: [{ key: 'SVC_HOST', value: 'theirs' }, { key: 'SVC_PORT', value: '80' }] }));
    assert.ok(r.ok);
    assert.deepEqual(r.envs, [{ key: 'A', value: '1' }, { key: 'SVC_HOST', value: 'mine' }, { key: 'SVC_PORT', value: '80' }]);
  });

  test('a value-less variable without source is empty', async () => {
    assert.equal(await value([{ name: 'V' }], 'V'), '');
  });
});

describe('resolveEnv errors', () => {
  const cases: { name: string; c: ContainerT; message: string }[] = [
    { name: 'missing config map', c: container([{ name: 'V', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }]), message: 'configmap "nope" not found' },
    { name: 'missing config map key', c: container([{ name: 'V', valueFrom: { configMapKeyRef: { name: 'app', key: 'k' } } }]), message: "couldn't find key k in ConfigMap ns1/app" },
    { name: 'missing secret', c: container([{ name: 'V', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }]), message: 'secret "nope" not found' },
    { name: 'missing secret key', c: container([{ name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }]), message: "couldn't find key k in Secret ns1/creds" },
    { name: 'missing envFrom config map', c: container([], { envFrom: [{ configMapRef: { name: 'gone' } }] }), message: 'configmap "gone" not found' },
    { name: 'missing envFrom secret', c: container([], { envFrom: [{ secretRef: { name: 'gone' } }] }), message: 'secret "gone" not found' },
    { name: 'unsupported field path', c: container([{ name: 'V', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }]), message: 'unsupported fieldPath: spec.hostname' },
    { name: 'unsupported resource', c: container([{ name: 'V', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }]), message: 'unsupported container resource : limits.gpu' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await resolveEnv(pod(), c.c, deps());
      assert.deepEqual(r, { ok: false, reason: 'CreateContainerConfigError', message: c.message });
    });
  }

  test('optional envFrom sources may be missing', async () => {
    const r = await resolveEnv(pod(), container([], { envFrom: [{ configMapRef: { name: 'gone', optional: true } }, { secretRef: { name: 'gone', optional: true } }] }), deps());
    assert.ok(r.ok);
  });

  test('a failing lookup becomes a config error', async () => {
    const r = await resolveEnv(pod(), container([{ name: 'V', valueFrom: { configMapKeyRef: { name: 'app', key: 'MODE' } } }]), deps({ configMap: async () => { throw new Error('connection refused'); } }));
    assert.deepEqual(r, { ok: false, reason: 'CreateContainerConfigError', message: 'connection refused' });
  });
});
