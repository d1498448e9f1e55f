import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFile, resolvConf } from './etc-files.js';

test('hosts file: defaults, pod IP, host aliases', () => {
  const text = hostsFile({ hostname: 'web-0', podIP: '10.244.0.5', hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }, { ip: '5.6.7.8', hostnames: [] }] });
  const lines = text.split('\n');
  assert.equal(lines[0], '# Kubernetes-managed hosts file.');
  assert.ok(lines.includes('127.0.0.1\tlocalhost'));
  assert.ok(lines.includes('10.244.0.5\tweb-0'));
  assert.ok(lines.indexOf('# Entries added by HostAliases.') < lines.indexOf('1.2.3.4\tfoo\tbar'));
  assert.ok(!text.includes('5.6.7.8'));
  assert.ok(!hostsFile({ hostname: 'h' }).includes('HostAliases'));
});

test('resolv.conf', () => {
  const cases = [
    { name: 'cluster DNS', dns: { servers: ['10.96.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] }, want: 'search ns.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n' },
    { name: 'host file when no config', dns: undefined, want: 'nameserver 9.9.9.9\n' },
  ];
  for (const c of cases) assert.equal(resolvConf(c.dns, 'nameserver 9.9.9.9'), c.want, c.name);
});
