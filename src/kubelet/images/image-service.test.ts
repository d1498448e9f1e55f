import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  type OCILayoutInfo,
  type TestRegistry,
  buildBusyboxImage,
  buildWhiteoutImage,
  missingImageTools,
  pushImage,
  startTestRegistry,
  writeDockerSaveTarball,
} from '../../testing/test-images.js';
import { type HTTPDoer, httpRequest } from './http-transport.js';
import { LocalImageService, ImageNotFoundError } from './image-service.js';
import { importImageArchive } from './import.js';
import { DOCKER_MANIFEST_LIST } from './media-types.js';
import { parseRegistries } from './registries-config.js';
import { ImagePullError } from './registry-client.js';
import { writeTar } from './tar-writer.js';

const skip = missingImageTools();

/** Records every request; optionally rewrites responses. */
function recordingDoer(log: string[], rewrite?: (url: string, body: Buffer) => Buffer | undefined): HTTPDoer {
  return async (req) => {
    log.push(`${req.method} ${new URL(req.url).pathname}`);
    const res = await httpRequest(req);
    if (!rewrite || res.status !== 200) return res;
    const body = await res.buffer();
    const changed = rewrite(req.url, body) ?? body;
    return { ...res, body: Readable.from([changed]), buffer: async () => changed, drain: () => {} };
  };
}

describe('LocalImageService against docker-registry', { skip }, () => {
  let dir: string;
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let basicReg: TestRegistry;
  let busybox: OCILayoutInfo;
  let layered: OCILayoutInfo;
  const creds = { username: 'puller', password: 's3cret' };
  let n = 0;
  const store = () => path.join(dir, `store-${n++}`);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-images-'));
    busybox = await buildBusyboxImage(path.join(dir, 'busybox'), { tag: '1.35' });
    layered = await buildWhiteoutImage(path.join(dir, 'layered'), { tag: 'wh' });
    [reg, authReg, basicReg] = await Promise.all([startTestRegistry(), startTestRegistry({ auth: creds }), startTestRegistry({ auth: { ...creds, scheme: 'basic' } })]);
    await pushImage(busybox.dir, `${reg.host}/demo/busybox:1.35`);
    await pushImage(busybox.dir, `${reg.host}/library/busybox:1.35`);
    await pushImage(busybox.dir, `${reg.host}/demo/busybox:multi`, { multiPlatform: true });
    await pushImage(busybox.dir, `${reg.host}/demo/busybox:list`, { multiPlatform: true, indexMediaType: DOCKER_MANIFEST_LIST });
    await pushImage(layered.dir, `${reg.host}/demo/layered:wh`);
    await pushImage(busybox.dir, `${authReg.host}/private/busybox:1.35`, { auth: creds });
    await pushImage(busybox.dir, `${basicReg.host}/private/busybox:1.35`, { auth: creds });
  });
  after(async () => {
    await Promise.all([reg?.stop(), authReg?.stop(), basicReg?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('pull by tag: id, tags, digests, config and an unpacked rootfs', async () => {
    const svc = new LocalImageService({ root: store() });
    const ref = `${reg.host}/demo/busybox:1.35`;
    const id = await svc.pullImage({ image: ref });
    assert.equal(id, busybox.configDigest);
    const img = await svc.imageStatus({ image: ref });
    assert.deepEqual(img?.repoTags, [ref]);
    assert.deepEqual(img?.repoDigests, [`${reg.host}/demo/busybox@${busybox.manifestDigest}`]);
    assert.deepEqual(img?.config, { cmd: ['sh'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] });
    assert.ok(img!.size > busybox.layers[0]!.size);
    const { lowerDirs, config } = await svc.layersFor(ref);
    assert.equal(lowerDirs.length, 1);
    assert.deepEqual(config.cmd, ['sh']);
    assert.ok(fs.readFileSync(path.join(lowerDirs[0]!, 'bin/busybox')).equals(fs.readFileSync('/bin/busybox')));
    assert.match(fs.readFileSync(path.join(lowerDirs[0]!, 'etc/passwd'), 'utf8'), /^nobody:x:65534:65534:/m);
    for (const spec of [id, id.slice(7), id.slice(7, 19), `${reg.host}/demo/busybox@${busybox.manifestDigest}`]) assert.equal((await svc.imageStatus({ image: spec }))?.id, id, spec);
    assert.equal(await svc.imageStatus({ image: `${reg.host}/demo/busybox:other` }), undefined);
  });

  test('the unpacked rootfs runs: chroot into it and use busybox', { skip: (process.getuid?.() !== 0 || !fs.existsSync('/usr/sbin/chroot')) && 'needs root and chroot' }, async () => {
    const svc = new LocalImageService({ root: store() });
    await svc.pullImage({ image: `${reg.host}/demo/layered:wh` });
    const { lowerDirs } = await svc.layersFor(`${reg.host}/demo/layered:wh`);
    const out = execFileSync('/usr/sbin/chroot', [lowerDirs[0]!, '/bin/sh', '-c', 'cat /data/keep.txt /opq/new.txt; id -un; ls /data'], { encoding: 'utf8' });
    assert.equal(out, 'keep\nnew\nroot\nadded.txt\nkeep.txt\n');
  });

  test('what pushImage wrote reads back with skopeo (an independent client)', { skip: !fs.existsSync('/usr/bin/skopeo') && 'skopeo missing (apt-get install skopeo)' }, () => {
    const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/demo/busybox:multi`], { encoding: 'utf8' })) as { manifests: { platform: { architecture: string } }[] };
    assert.equal(raw.manifests.length, 2);
    const info = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/demo/layered:wh`], { encoding: 'utf8' })) as { Digest: string; Layers: string[] };
    assert.equal(info.Digest, layered.manifestDigest);
    assert.deepEqual(info.Layers, layered.layers.map((l) => l.digest));
  });

  test('pull by digest records the digest, not a tag', async () => {
    const svc = new LocalImageService({ root: store() });
    const ref = `${reg.host}/demo/busybox@${busybox.manifestDigest}`;
    assert.equal(await svc.pullImage({ image: ref }), busybox.configDigest);
    const [img] = await svc.listImages();
    assert.deepEqual(img!.repoTags, []);
    assert.deepEqual(img!.repoDigests, [ref]);
  });

  for (const [name, tag] of [
    ['an OCI index', 'multi'],
    ['a Docker manifest list', 'list'],
  ] as const) {
    test(`${name}: the host platform's manifest is chosen`, async () => {
      const svc = new LocalImageService({ root: store() });
      const ref = `${reg.host}/demo/busybox:${tag}`;
      assert.equal(await svc.pullImage({ image: ref }), busybox.configDigest);
      const img = await svc.imageStatus({ image: ref });
      assert.notEqual(img!.repoDigests[0], `${reg.host}/demo/busybox@${busybox.manifestDigest}`, 'repo digest is the index digest');
    });
  }

  test('two layers with whiteouts', async () => {
    const svc = new LocalImageService({ root: store() });
    await svc.pullImage({ image: `${reg.host}/demo/layered:wh` });
    const { lowerDirs } = await svc.layersFor(`${reg.host}/demo/layered:wh`);
    assert.deepEqual(fs.readdirSync(path.join(lowerDirs[0]!, 'data')).sort(), ['added.txt', 'keep.txt']);
    assert.deepEqual(fs.readdirSync(path.join(lowerDirs[0]!, 'opq')), ['new.txt']);
  });

  test('concurrent pulls of one reference share one pull; a present image downloads no blob again', async () => {
    const log: string[] = [];
    const svc = new LocalImageService({ root: store(), http: recordingDoer(log) });
    const ref = `${reg.host}/demo/busybox:1.35`;
    const ids = await Promise.all([svc.pullImage({ image: ref }), svc.pullImage({ image: ref }), svc.pullImage({ image: ref })]);
    assert.deepEqual(new Set(ids).size, 1);
    assert.equal(log.filter((l) => l.includes('/manifests/')).length, 1);
    assert.equal(log.filter((l) => l.startsWith('GET') && l.includes('/blobs/')).length, 2);
    log.length = 0;
    await svc.pullImage({ image: ref });
    assert.deepEqual(log.filter((l) => l.includes('/blobs/')), []);
  });

  const authCases: { name: string; host: () => string; auth?: { username: string; password: string }; ok: boolean }[] = [
    { name: 'bearer token with the right credentials', host: () => authReg.host, auth: creds, ok: true },
    { name: 'bearer token with wrong credentials', host: () => authReg.host, auth: { username: 'puller', password: 'nope' }, ok: false },
    { name: 'bearer token without credentials', host: () => authReg.host, ok: false },
    { name: 'basic auth with the right credentials', host: () => basicReg.host, auth: creds, ok: true },
    { name: 'basic auth without credentials', host: () => basicReg.host, ok: false },
  ];
  for (const c of authCases) {
    test(`auth: ${c.name}`, async () => {
      const svc = new LocalImageService({ root: store() });
      const p = svc.pullImage({ image: `${c.host()}/private/busybox:1.35` }, c.auth);
      if (c.ok) assert.equal(await p, busybox.configDigest);
      else
        await assert.rejects(p, (err: unknown) => {
          assert.ok(err instanceof ImagePullError);
          assert.equal(err.reason, 'Unauthorized');
          assert.match(err.message, /^failed to pull and unpack image ".*\/private\/busybox:1.35": failed to resolve reference/);
          return true;
        });
    });
  }

  test('auth from the base64 `auth` field of a pull secret', async () => {
    const svc = new LocalImageService({ root: store() });
    assert.equal(await svc.pullImage({ image: `${authReg.host}/private/busybox:1.35` }, { auth: Buffer.from('puller:s3cret').toString('base64') }), busybox.configDigest);
  });

  test('a missing image is NotFound with containerd-like text', async () => {
    const svc = new LocalImageService({ root: store() });
    const ref = `${reg.host}/demo/nope:1`;
    await assert.rejects(svc.pullImage({ image: ref }), (err: unknown) => {
      assert.ok(err instanceof ImagePullError);
      assert.equal(err.reason, 'NotFound');
      assert.equal(err.message, `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`);
      return true;
    });
  });

  test('an invalid reference is refused before any request', async () => {
    const svc = new LocalImageService({ root: store() });
    await assert.rejects(svc.pullImage({ image: 'Bad/Name' }), (err: unknown) => err instanceof ImagePullError && err.reason === 'InvalidReference');
  });

  test('a blob that does not match its digest is refused and not stored', async () => {
    const root = store();
    const svc = new LocalImageService({ root, http: recordingDoer([], (url, body) => (url.includes(busybox.layers[0]!.digest) ? Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body[body.length - 1]! ^ 1])]) : undefined)) });
    await assert.rejects(svc.pullImage({ image: `${reg.host}/demo/busybox:1.35` }), (err: unknown) => err instanceof ImagePullError && err.reason === 'DigestMismatch');
    assert.ok(!fs.existsSync(path.join(root, 'blobs/sha256', busybox.layers[0]!.digest.slice(7))));
    assert.deepEqual(await svc.listImages(), []);
  });

  test('a manifest that does not match the pinned digest is refused', async () => {
    const svc = new LocalImageService({ root: store(), http: recordingDoer([], (url, body) => (url.includes('/manifests/') ? Buffer.from(body.toString().replace('"schemaVersion":2', '"schemaVersion": 2')) : undefined)) });
    await assert.rejects(svc.pullImage({ image: `${reg.host}/demo/busybox@${busybox.manifestDigest}` }), (err: unknown) => err instanceof ImagePullError && err.reason === 'DigestMismatch');
  });

  test('registries.yaml mirror serves docker.io images (no internet needed)', async () => {
    const registries = await parseRegistries(`mirrors:\n  docker.io:\n    endpoint:\n      - "http://${reg.host}"\n`);
    const svc = new LocalImageService({ root: store(), registries });
    assert.equal(await svc.pullImage({ image: 'busybox:1.35' }), busybox.configDigest);
    assert.deepEqual((await svc.imageStatus({ image: 'busybox:1.35' }))?.repoTags, ['docker.io/library/busybox:1.35']);
  });

  test('registries.yaml credentials for a host', async () => {
    const registries = await parseRegistries(`configs:\n  "${authReg.host}":\n    auth:\n      username: puller\n      password: s3cret\n`);
    const svc = new LocalImageService({ root: store(), registries });
    assert.equal(await svc.pullImage({ image: `${authReg.host}/private/busybox:1.35` }), busybox.configDigest);
  });

  test('retagging moves the tag; removeImage removes rootfs and unshared blobs; absent is not an error', async () => {
    const root = store();
    const svc = new LocalImageService({ root });
    const a = await svc.pullImage({ image: `${reg.host}/demo/busybox:1.35` });
    const b = await svc.pullImage({ image: `${reg.host}/demo/layered:wh` });
    await svc.removeImage({ image: `${reg.host}/demo/layered:wh` });
    assert.deepEqual((await svc.listImages()).map((i) => i.id), [a]);
    assert.ok(!fs.existsSync(path.join(root, 'rootfs', b.slice(7))));
    assert.ok(!fs.existsSync(path.join(root, 'blobs/sha256', b.slice(7))));
    assert.ok(fs.existsSync(path.join(root, 'blobs/sha256', a.slice(7))));
    await svc.removeImage({ image: `${reg.host}/demo/layered:wh` });
    await assert.rejects(svc.layersFor(`${reg.host}/demo/layered:wh`), ImageNotFoundError);
  });

  test('garbageCollect removes unused images least recently used first, above the high threshold only', async () => {
    let now = 1000;
    let usage = { capacityBytes: 100_000_000, availableBytes: 50_000_000 };
    const svc = new LocalImageService({ root: store(), clock: { now: () => now }, fsUsage: async () => usage });
    const bb = await svc.pullImage({ image: `${reg.host}/demo/busybox:1.35` });
    now = 2000;
    const wh = await svc.pullImage({ image: `${reg.host}/demo/layered:wh` });
    now = 3000;
    const by = await svc.pullImage({ image: `${authReg.host}/private/busybox:1.35` }, creds);
    assert.equal(by, bb, 'same image id from two registries');
    // Under the threshold: nothing.
    let r = await svc.garbageCollect({ highThresholdPercent: 85, lowThresholdPercent: 80, inUse: new Set() });
    assert.deepEqual(r.removed, []);
    // Above: the least recently used unused image goes (busybox is in use).
    usage = { capacityBytes: 100_000_000, availableBytes: 10_000_000 };
    now = 4000;
    await svc.layersFor(`${reg.host}/demo/busybox:1.35`);
    r = await svc.garbageCollect({ highThresholdPercent: 85, lowThresholdPercent: 80, inUse: new Set([bb]) });
    assert.deepEqual(r.removed, [wh]);
    assert.ok(r.freedBytes > 0);
    assert.deepEqual((await svc.listImages()).map((i) => i.id), [bb]);
    await assert.rejects(svc.garbageCollect({ highThresholdPercent: 50, lowThresholdPercent: 60, inUse: new Set() }), /can not be higher/);
  });

  test('imageFsInfo reports the store', async () => {
    const root = store();
    const svc = new LocalImageService({ root });
    await svc.pullImage({ image: `${reg.host}/demo/busybox:1.35` });
    const info = await svc.imageFsInfo();
    assert.equal(info.mountpoint, root);
    assert.ok(info.usedBytes > 1_000_000);
  });
});

describe('importImageArchive', { skip: missingImageTools({ registry: false }) }, () => {
  let dir: string;
  let layered: OCILayoutInfo;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-import-'));
    layered = await buildWhiteoutImage(path.join(dir, 'layout'), { tag: 'v2' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a docker save tarball', async () => {
    const file = path.join(dir, 'save.tar');
    await writeDockerSaveTarball(layered, file, { repoTags: ['saved/app:v1', 'busybox:imported'] });
    const svc = new LocalImageService({ root: path.join(dir, 's1') });
    const imported = await importImageArchive(svc, file);
    assert.deepEqual(imported, [{ id: layered.configDigest, repoTags: ['docker.io/saved/app:v1', 'docker.io/library/busybox:imported'] }]);
    const { lowerDirs } = await svc.layersFor('busybox:imported');
    assert.deepEqual(fs.readdirSync(path.join(lowerDirs[0]!, 'opq')), ['new.txt']);
  });

  test('an OCI layout directory and a tar of it, named with a base name', async () => {
    const svc = new LocalImageService({ root: path.join(dir, 's2') });
    assert.deepEqual(await importImageArchive(svc, layered.dir, { baseName: 'example.com/team/app' }), [{ id: layered.configDigest, repoTags: ['example.com/team/app:v2'] }]);
    const entries = [];
    for (const rel of ['oci-layout', 'index.json', ...fs.readdirSync(path.join(layered.dir, 'blobs/sha256')).map((f) => `blobs/sha256/${f}`)]) entries.push({ path: rel, type: 'file' as const, data: fs.readFileSync(path.join(layered.dir, rel)) });
    const tarFile = path.join(dir, 'layout.tar');
    fs.writeFileSync(tarFile, writeTar(entries));
    const svc2 = new LocalImageService({ root: path.join(dir, 's3') });
    assert.deepEqual(await importImageArchive(svc2, tarFile), [{ id: layered.configDigest, repoTags: [] }]);
    assert.equal((await svc2.listImages()).length, 1);
  });

  test('a blob whose content does not match its name is refused', async () => {
    const copy = path.join(dir, 'tampered');
    fs.cpSync(layered.dir, copy, { recursive: true });
    const cfg = path.join(copy, 'blobs/sha256', layered.configDigest.slice(7));
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace('"os":"linux"', '"os":"linux" '));
    const svc = new LocalImageService({ root: path.join(dir, 's4') });
    await assert.rejects(importImageArchive(svc, copy), /digest mismatch/);
  });

  test('something else is refused', async () => {
    const file = path.join(dir, 'other.tar');
    fs.writeFileSync(file, writeTar([{ path: 'hello.txt', type: 'file', data: Buffer.from('hi') }]));
    const svc = new LocalImageService({ root: path.join(dir, 's5') });
    await assert.rejects(importImageArchive(svc, file), /neither an OCI image layout/);
  });
});
