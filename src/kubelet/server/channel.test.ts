import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, ResizeDecoder, channelProtocol, decodeChannelMessage, encodeChannelMessage, negotiate, protocolList } from './channel.js';
import { outcomeStatus } from './remote-command.js';

describe('channel protocols', () => {
  const names: { name: string; version: number; base64: boolean }[] = [
    { name: 'v5.channel.k8s.io', version: 5, base64: false },
    { name: 'v4.channel.k8s.io', version: 4, base64: false },
    { name: 'v4.base64.channel.k8s.io', version: 4, base64: true },
    { name: 'channel.k8s.io', version: 1, base64: false },
    { name: 'base64.channel.k8s.io', version: 1, base64: true },
    { name: '', version: 1, base64: false },
  ];
  for (const n of names) {
    test(`"${n.name}" is version ${n.version}${n.base64 ? ', base64' : ''}`, () => assert.deepEqual(channelProtocol(n.name), n));
  }

  test('binary messages prefix the channel byte', () => {
    const p = channelProtocol('v5.channel.k8s.io');
    const m = encodeChannelMessage(p, Channel.Stdout, Buffer.from('hi'));
    assert.deepEqual(m, { data: Buffer.from([1, 104, 105]), binary: true });
    assert.deepEqual(decodeChannelMessage(p, Buffer.from([0, 120])), { ok: true, channel: 0, data: Buffer.from('x') });
    assert.deepEqual(decodeChannelMessage(p, Buffer.from([255, 0])), { ok: true, channel: 255, data: Buffer.from([0]) });
  });

  test('base64 messages are text: the channel digit, then base64', () => {
    const p = channelProtocol('v4.base64.channel.k8s.io');
    assert.deepEqual(encodeChannelMessage(p, Channel.Stderr, Buffer.from('foo\n')), { data: '2Zm9vCg==', binary: false });
    assert.deepEqual(decodeChannelMessage(p, Buffer.from('0Zm9vCg==')), { ok: true, channel: 0, data: Buffer.from('foo\n') });
    assert.equal(decodeChannelMessage(p, Buffer.from('0!!')).ok, false);
  });

  test('an empty message is refused', () => assert.equal(decodeChannelMessage(channelProtocol(''), Buffer.alloc(0)).ok, false));

  test('negotiation picks the first protocol the client lists that the server supports', () => {
    assert.equal(negotiate(['v9.x', 'v4.channel.k8s.io', 'v5.channel.k8s.io'], ['v5.channel.k8s.io', 'v4.channel.k8s.io']), 'v4.channel.k8s.io');
    assert.equal(negotiate(['v9.x'], ['v5.channel.k8s.io']), undefined);
    assert.deepEqual(protocolList(['v4.channel.k8s.io, v3.channel.k8s.io', 'channel.k8s.io']), ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io']);
  });

  test('terminal sizes are decoded across chunk boundaries and several per chunk', () => {
    const d = new ResizeDecoder();
    assert.deepEqual(d.push(Buffer.from('{"Width":80,')), []);
    assert.deepEqual(d.push(Buffer.from('"Height":24}\n{"Width":100,"Height":50}\n')), [{ width: 80, height: 24 }, { width: 100, height: 50 }]);
    assert.deepEqual(d.push(Buffer.from('{"bogus":1}{"Width":1,"Height":2}')), [{ width: 1, height: 2 }]);
  });
});

describe('remote command outcome', () => {
  test('a non-zero exit is a NonZeroExitCode status with the ExitCode cause kubectl reads', () => {
    assert.deepEqual(outcomeStatus({ kind: 'exit', code: 3, command: ['sh', '-c', 'exit 3'] }), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });
  test('success is a bare Success status', () => assert.deepEqual(outcomeStatus({ kind: 'success' }), { metadata: {}, status: 'Success' }));
});
