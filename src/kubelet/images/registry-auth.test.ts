import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basicCredentials, parseChallenges } from './registry-auth.js';

describe('parseChallenges', () => {
  const cases: { name: string; header: string; want: { scheme: string; params: Record<string, string> }[] }[] = [
    {
      name: 'docker hub bearer',
      header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      want: [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }],
    },
    { name: 'basic', header: 'Basic realm="Registry Realm"', want: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }] },
    {
      name: 'two challenges, unquoted value, escaped quote, comma inside quotes',
      header: 'Basic realm=r, Bearer realm="http://x/t?a=1,b=2",error="say \\"hi\\""',
      want: [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'http://x/t?a=1,b=2', error: 'say "hi"' } },
      ],
    },
    { name: 'empty', header: '', want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseChallenges(c.header), c.want));
});

describe('basicCredentials', () => {
  test('from fields', () => assert.deepEqual(basicCredentials({ username: 'u', password: 'p' }), { username: 'u', password: 'p' }));
  test('from auth', () => assert.deepEqual(basicCredentials({ auth: Buffer.from('u:p:q').toString('base64') }), { username: 'u', password: 'p:q' }));
  test('none', () => assert.equal(basicCredentials({ identityToken: 't' }), undefined));
});
