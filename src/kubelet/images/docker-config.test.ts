import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialsFor, parseDockerConfigJSON } from './docker-config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseDockerConfigJSON', () => {
  test('.dockerconfigjson with auths', () => {
    assert.deepEqual(parseDockerConfigJSON(JSON.stringify({ auths: { 'r.io': { auth: b64('u:p') } } })), { 'r.io': { auth: b64('u:p') } });
  });
  test('legacy .dockercfg map', () => {
    assert.deepEqual(parseDockerConfigJSON(Buffer.from(JSON.stringify({ 'r.io': { username: 'u', password: 'p' } }))), { 'r.io': { username: 'u', password: 'p' } });
  });
  test('not JSON is undefined', () => assert.equal(parseDockerConfigJSON('{'), undefined));
});

describe('credentialsFor', () => {
  const cfgs = [
    parseDockerConfigJSON(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
          'registry.example.com': { username: 'host', password: 'h' },
          'registry.example.com/team': { username: 'team', password: 't' },
          '*.corp.example': { auth: b64('glob:g') },
          '127.0.0.1:5000': { auth: b64('local:pw:with:colons') },
          'http://plain.example.com/v2/': { username: 'plain', password: 'x' },
        },
      }),
    )!,
  ];
  const cases: { name: string; image: string; users: string[] }[] = [
    { name: 'docker hub short name uses the legacy index key', image: 'busybox', users: ['hub'] },
    { name: 'docker hub user repo', image: 'docker.io/myorg/app:1', users: ['hub'] },
    { name: 'path prefix is more specific than the host', image: 'registry.example.com/team/app:1', users: ['team', 'host'] },
    { name: 'host only', image: 'registry.example.com/other/app', users: ['host'] },
    { name: 'glob label matches one label', image: 'a.corp.example/x', users: ['glob'] },
    { name: 'glob does not cross labels', image: 'a.b.corp.example/x', users: [] },
    { name: 'port must match', image: '127.0.0.1:5000/demo/busybox:1.35', users: ['local'] },
    { name: 'other port does not match', image: '127.0.0.1:5001/demo/busybox', users: [] },
    { name: 'scheme and /v2/ in the key are ignored', image: 'plain.example.com/x', users: ['plain'] },
    { name: 'unrelated registry', image: 'quay.io/x/y', users: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        credentialsFor(c.image, cfgs).map((a) => a.username),
        c.users,
      );
    });
  }
  test('auth is decoded into username and password (password may contain colons)', () => {
    const [a] = credentialsFor('127.0.0.1:5000/x', cfgs);
    assert.equal(a!.username, 'local');
    assert.equal(a!.password, 'pw:with:colons');
  });
  test('several secrets: all matches, duplicates dropped', () => {
    const again = parseDockerConfigJSON(JSON.stringify({ auths: { 'registry.example.com': { username: 'host', password: 'h' }, 'registry.example.com/team/app': { username: 'app', password: 'a' } } }))!;
    assert.deepEqual(credentialsFor('registry.example.com/team/app', [cfgs[0]!, again]).map((a) => a.username), ['app', 'team', 'host']);
  });
});
