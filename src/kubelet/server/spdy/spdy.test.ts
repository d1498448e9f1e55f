import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './dictionary.js';
import { FLAG_FIN, type Frame, FrameReader, encodeFrame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, decodeHeaderBlock, encodeHeaderBlock, headersFrom } from './header-block.js';
import { SpdyConnection, type SpdyStream } from './connection.js';

function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const c of b) {
    a = (a + c) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

describe('SPDY dictionary', () => {
  test('is the 1423 bytes of the SPDY/3 draft (adler32 e3c6a7c2)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY_DICTIONARY), 0xe3c6a7c2);
    assert.equal(SPDY_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  });
});

describe('SPDY frames', () => {
  const cases: { name: string; frame: Frame; wire?: string }[] = [
    { name: 'data with FIN', frame: { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hi') }, wire: '00000005010000026869' },
    { name: 'empty data', frame: { type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(0) }, wire: '0000000100000000' },
    { name: 'syn_stream', frame: { type: 'syn_stream', streamId: 3, associatedStreamId: 0, priority: 2, slot: 0, flags: 0, headerBlock: Buffer.from([1, 2, 3]) }, wire: '800300010000000d00000003000000004000010203' },
    { name: 'syn_reply', frame: { type: 'syn_reply', streamId: 3, flags: 0, headerBlock: Buffer.from([9]) }, wire: '80030002000000050000000309' },
    { name: 'headers', frame: { type: 'headers', streamId: 7, flags: FLAG_FIN, headerBlock: Buffer.from([4]) } },
    { name: 'rst_stream cancel', frame: { type: 'rst_stream', streamId: 3, status: 5 }, wire: '80030003000000080000000300000005' },
    { name: 'settings', frame: { type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }] }, wire: '800300040000000c000000010000000700010000' },
    { name: 'ping', frame: { type: 'ping', id: 1 }, wire: '800300060000000400000001' },
    { name: 'goaway', frame: { type: 'goaway', lastGoodStreamId: 9, status: 0 }, wire: '80030007000000080000000900000000' },
    { name: 'window_update', frame: { type: 'window_update', streamId: 0, delta: 1000 }, wire: '800300090000000800000000000003e8' },
    { name: 'unknown control type', frame: { type: 'unknown', frameType: 42, flags: 0, payload: Buffer.from('x') } },
  ];
  for (const c of cases) {
    test(`${c.name} round-trips`, () => {
      const bytes = encodeFrame(c.frame);
      if (c.wire) assert.equal(bytes.toString('hex'), c.wire);
      const r = new FrameReader().push(bytes);
      assert.ok(r.ok);
      assert.deepEqual(r.frames, [c.frame]);
    });
  }

  test('a reader reassembles frames split at every byte boundary', () => {
    const all = Buffer.concat(cases.map((c) => encodeFrame(c.frame)));
    const reader = new FrameReader();
    const got: Frame[] = [];
    for (const byte of all) {
      const r = reader.push(Buffer.from([byte]));
      assert.ok(r.ok);
      got.push(...r.frames);
    }
    assert.deepEqual(got, cases.map((c) => c.frame));
  });

  test('a control frame of another SPDY version is refused, and the reader stays failed', () => {
    const bad = encodeFrame({ type: 'ping', id: 1 });
    bad.writeUInt16BE(0x8002, 0);
    const reader = new FrameReader();
    assert.deepEqual(reader.push(bad), { ok: false, message: 'unsupported SPDY version 2' });
    assert.equal(reader.push(encodeFrame({ type: 'ping', id: 3 })).ok, false);
  });

  test('a frame above the size limit is refused before it is buffered', () => {
    const reader = new FrameReader(16);
    const r = reader.push(encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(17) }).subarray(0, 8));
    assert.equal(r.ok, false);
  });
});

describe('SPDY header blocks', () => {
  test('encode and decode name/value pairs with multiple values', () => {
    const h = headersFrom({ streamType: 'data', port: '8080', vals: ['a', 'b'] });
    const r = decodeHeaderBlock(encodeHeaderBlock(h));
    assert.ok(r.ok);
    assert.deepEqual([...r.headers], [['streamtype', ['data']], ['port', ['8080']], ['vals', ['a', 'b']]]);
  });

  const bad: { name: string; block: Buffer; message: string }[] = [
    { name: 'truncated count', block: Buffer.from([0, 0]), message: 'truncated SPDY header block' },
    { name: 'truncated pair', block: Buffer.from([0, 0, 0, 1, 0, 0, 0, 5, 97]), message: 'truncated SPDY header block' },
    { name: 'upper-case name', block: encodeRaw([['Port', '1']]), message: 'header was not lowercased' },
    { name: 'duplicate name', block: encodeRaw([['a', '1'], ['a', '2']]), message: 'multiple headers with same name' },
  ];
  for (const c of bad) {
    test(`refuses a block with a ${c.name}`, () => assert.deepEqual(decodeHeaderBlock(c.block), { ok: false, message: c.message }));
  }

  test('compression shares one zlib context across blocks and round-trips in order', async () => {
    const comp = new HeaderCompressor();
    const decomp = new HeaderDecompressor();
    const blocks = [headersFrom({ streamtype: 'error' }), headersFrom({ streamtype: 'stdout' }), headersFrom({}), headersFrom({ streamtype: 'stdout', requestid: '0' })];
    const compressed = await Promise.all(blocks.map((b) => comp.compress(b)));
    // The second identical name compresses to back-references: smaller than the first.
    assert.ok(compressed[1]!.length < compressed[0]!.length);
    for (let i = 0; i < blocks.length; i++) {
      const r = await decomp.decompress(compressed[i]!);
      assert.ok(r.ok);
      assert.deepEqual(r.headers, blocks[i]);
    }
    comp.dispose();
    decomp.dispose();
  });

  test('a block compressed by plain zlib with the SPDY dictionary decodes (what Go peers send)', async () => {
    const raw = encodeHeaderBlock(headersFrom({ streamtype: 'stdin' }));
    const z = zlib.deflateSync(raw, { dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const decomp = new HeaderDecompressor();
    const r = await decomp.decompress(z);
    decomp.dispose();
    assert.ok(r.ok);
    assert.deepEqual(r.headers.get('streamtype'), ['stdin']);
  });

  test('garbage instead of a compressed block is an error result', async () => {
    const decomp = new HeaderDecompressor();
    const r = await decomp.decompress(Buffer.from('not zlib at all'));
    decomp.dispose();
    assert.equal(r.ok, false);
  });
});

function encodeRaw(pairs: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(pairs.length));
  for (const [n, v] of pairs) parts.push(u32(n.length), Buffer.from(n), u32(v.length), Buffer.from(v));
  return Buffer.concat(parts);
}

/** Two connections back to back over in-memory pipes. */
function pair(): { client: SpdyConnection; server: SpdyConnection } {
  const a = new PassThrough();
  const b = new PassThrough();
  const clientSide = duplexOf(b, a);
  const serverSide = duplexOf(a, b);
  return { client: new SpdyConnection(clientSide, { server: false }), server: new SpdyConnection(serverSide, { server: true }) };
}

/** A duplex whose writes go to `writable` and whose reads come from `readable`. */
function duplexOf(readable: PassThrough, writable: PassThrough): Duplex {
  return Duplex.from({ readable, writable });
}

describe('SPDY connection', () => {
  test('streams carry headers, data both ways, half-close and reset', async () => {
    const { client, server } = pair();
    const accepted = new Promise<SpdyStream>((r) => server.once('stream', r));
    const s = await client.openStream(headersFrom({ streamType: 'stdin', requestID: '7' }));
    const peer = await accepted;
    assert.equal(peer.header('streamtype'), 'stdin');
    assert.equal(peer.header('requestID'), '7');
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    const ended = new Promise((r) => peer.once('end', r));
    s.write('hello ');
    s.end('world');
    await ended;
    assert.equal(Buffer.concat(got).toString(), 'hello world');
    // The other direction still works after the client's FIN.
    const back: Buffer[] = [];
    s.on('data', (d: Buffer) => back.push(d));
    const backEnded = new Promise((r) => s.once('end', r));
    peer.end(Buffer.alloc(100_000, 7));
    await backEnded;
    assert.equal(Buffer.concat(back).length, 100_000);

    const second = new Promise<SpdyStream>((r) => server.once('stream', r));
    const s2 = await client.openStream(headersFrom({ streamType: 'data' }));
    const p2 = await second;
    const reset = new Promise((r) => s2.once('close', r));
    p2.destroy();
    await reset;
    assert.equal(s2.destroyed, true);
    await client.close();
    await new Promise((r) => (server.isClosed ? r(undefined) : server.once('close', () => r(undefined))));
  });

  test('pings from the peer are echoed, our own are not', async () => {
    const a = new PassThrough();
    const b = new PassThrough();
    const server = new SpdyConnection(duplexOf(a, b), { server: true });
    const echoed: Buffer[] = [];
    b.on('data', (d: Buffer) => echoed.push(d));
    a.write(encodeFrame({ type: 'ping', id: 1 }));
    a.write(encodeFrame({ type: 'ping', id: 2 }));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(Buffer.concat(echoed), encodeFrame({ type: 'ping', id: 1 }));
    server.destroy();
  });
});
