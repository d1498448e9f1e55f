import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceT } from '../../api/core/v1/types.js';
import { envVarsForServices, serviceEnvForPod } from './service-env.js';

function svc(ns: string, name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[]): ServiceT {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { clusterIP, ports } };
}

describe('service link variables', () => {
  test('one service with a named second port', () => {
    const got = envVarsForServices([svc('app', 'redis-main', '10.96.0.20', [{ port: 6379 }, { name: 'metrics-http', port: 9121, protocol: 'TCP' }])]);
    assert.deepEqual(got, [
      { key: 'REDIS_MAIN_SERVICE_HOST', value: '10.96.0.20' },
      { key: 'REDIS_MAIN_SERVICE_PORT', value: '6379' },
      { key: 'REDIS_MAIN_SERVICE_PORT_METRICS_HTTP', value: '9121' },
      { key: 'REDIS_MAIN_PORT', value: 'tcp://10.96.0.20:6379' },
      { key: 'REDIS_MAIN_PORT_6379_TCP', value: 'tcp://10.96.0.20:6379' },
      { key: 'REDIS_MAIN_PORT_6379_TCP_PROTO', value: 'tcp' },
      { key: 'REDIS_MAIN_PORT_6379_TCP_PORT', value: '6379' },
      { key: 'REDIS_MAIN_PORT_6379_TCP_ADDR', value: '10.96.0.20' },
      { key: 'REDIS_MAIN_PORT_9121_TCP', value: 'tcp://10.96.0.20:9121' },
      { key: 'REDIS_MAIN_PORT_9121_TCP_PROTO', value: 'tcp' },
      { key: 'REDIS_MAIN_PORT_9121_TCP_PORT', value: '9121' },
      { key: 'REDIS_MAIN_PORT_9121_TCP_ADDR', value: '10.96.0.20' },
    ]);
  });

  test('IPv6 cluster IPs are bracketed in URLs', () => {
    const got = envVarsForServices([svc('a', 'dns', 'fd00::a', [{ port: 53, protocol: 'UDP' }])]);
    assert.equal(got.find((e) => e.key === 'DNS_PORT')?.value, 'udp://[fd00::a]:53');
  });

  const all = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]),
    svc('app', 'web', '10.96.0.5', [{ port: 80 }]),
    svc('app', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'db', '10.96.0.9', [{ port: 5432 }]),
  ];
  const cases: { name: string; ns: string; links?: boolean; want: string[] }[] = [
    { name: 'own namespace and kubernetes', ns: 'app', want: ['KUBERNETES_SERVICE_HOST', 'WEB_SERVICE_HOST'] },
    { name: 'links disabled keeps kubernetes only', ns: 'app', links: false, want: ['KUBERNETES_SERVICE_HOST'] },
    { name: 'headless and other namespaces are skipped', ns: 'other', want: ['DB_SERVICE_HOST', 'KUBERNETES_SERVICE_HOST'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const hosts = serviceEnvForPod(all, { namespace: c.ns, enableServiceLinks: c.links }).map((e) => e.key).filter((k) => k.endsWith('_SERVICE_HOST'));
      assert.deepEqual(hosts, c.want);
    });
  }
});
