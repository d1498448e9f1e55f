import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, formatReference, parseReference } from './reference.js';

const H = 'a'.repeat(64);

describe('parseReference', () => {
  const ok: { name: string; input: string; want: string; familiar?: string }[] = [
    { name: 'bare name gets docker.io, library/ and latest', input: 'busybox', want: 'docker.io/library/busybox:latest', familiar: 'busybox:latest' },
    { name: 'tag kept', input: 'busybox:1.35', want: 'docker.io/library/busybox:1.35', familiar: 'busybox:1.35' },
    { name: 'user repo on hub has no library/', input: 'myorg/app:v1', want: 'docker.io/myorg/app:v1', familiar: 'myorg/app:v1' },
    { name: 'index.docker.io is docker.io', input: 'index.docker.io/library/nginx', want: 'docker.io/library/nginx:latest', familiar: 'nginx:latest' },
    { name: 'explicit docker.io single component', input: 'docker.io/nginx', want: 'docker.io/library/nginx:latest' },
    { name: 'loopback registry with port', input: '127.0.0.1:5000/demo/busybox:1.35', want: '127.0.0.1:5000/demo/busybox:1.35', familiar: '127.0.0.1:5000/demo/busybox:1.35' },
    { name: 'localhost is a domain', input: 'localhost/app', want: 'localhost/app:latest' },
    { name: 'dotted domain', input: 'registry.k8s.io/pause:3.9', want: 'registry.k8s.io/pause:3.9' },
    { name: 'digest without tag', input: `busybox@sha256:${H}`, want: `docker.io/library/busybox@sha256:${H}` },
    { name: 'tag and digest', input: `quay.io/a/b:1@sha256:${H}`, want: `quay.io/a/b:1@sha256:${H}` },
    { name: 'separators in path', input: 'a.b/c__d/e-f.g_h', want: 'a.b/c__d/e-f.g_h:latest' },
    { name: 'bare host:port parses as name:tag like upstream', input: 'localhost:5000', want: 'docker.io/library/localhost:5000' },
  ];
  for (const c of ok) {
    test(c.name, () => {
      const r = parseReference(c.input);
      assert.ok(r.ok, !r.ok ? r.message : '');
      assert.equal(formatReference(r.ref), c.want);
      if (c.familiar) assert.equal(familiarName(r.ref), c.familiar);
    });
  }
  const bad: { name: string; input: string; message: string }[] = [
    { name: 'uppercase repository', input: 'docker.io/Library/Busybox', message: 'invalid reference format: repository name must be lowercase' },
    { name: 'empty', input: '', message: 'invalid reference format' },
    { name: 'bad tag', input: 'busybox:-x', message: 'invalid reference format' },
    { name: 'short digest', input: 'busybox@sha256:abc', message: 'invalid reference format' },
    { name: 'sha256 digest with uppercase hex', input: `busybox@sha256:${'A'.repeat(64)}`, message: 'invalid checksum digest format' },
    { name: 'bare 64-hex identifier', input: H, message: `invalid repository name (${H}), cannot specify 64-byte hexadecimal strings` },
    { name: 'double slash', input: 'a//b', message: 'invalid reference format' },
    { name: 'trailing separator', input: 'busybox-', message: 'invalid reference format' },
  ];
  for (const c of bad) {
    test(`refuses ${c.name}`, () => {
      const r = parseReference(c.input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.message, c.message);
    });
  }
});
