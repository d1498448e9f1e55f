import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, maskIPv4, parseIPv4, parseIPv4CIDR } from './ipv4.js';

describe('parseIPv4', () => {
  const cases: { name: string; in: string; want: number | undefined }[] = [
    { name: 'zero', in: '0.0.0.0', want: 0 },
    { name: 'top', in: '255.255.255.255', want: 0xffffffff },
    { name: 'private', in: '10.244.1.2', want: (10 * 2 ** 24) + (244 << 16) + (1 << 8) + 2 },
    { name: 'octet above 255', in: '10.0.0.256', want: undefined },
    { name: 'three octets', in: '10.0.0', want: undefined },
    { name: 'sign', in: '10.0.0.-1', want: undefined },
    { name: 'four digits', in: '10.0.0.0001', want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.equal(parseIPv4(c.in), c.want));
});

describe('formatIPv4 and maskIPv4', () => {
  test('round trip above 2^31', () => assert.equal(formatIPv4(parseIPv4('192.168.7.9')!), '192.168.7.9'));
  const cases: { name: string; ip: string; prefix: number; want: string }[] = [
    { name: '/0 clears everything', ip: '192.168.7.9', prefix: 0, want: '0.0.0.0' },
    { name: '/24', ip: '192.168.7.9', prefix: 24, want: '192.168.7.0' },
    { name: '/12', ip: '10.250.3.4', prefix: 12, want: '10.240.0.0' },
    { name: '/32 keeps all', ip: '192.168.7.9', prefix: 32, want: '192.168.7.9' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(formatIPv4(maskIPv4(parseIPv4(c.ip)!, c.prefix)), c.want));
});

describe('parseIPv4CIDR', () => {
  const cases: { name: string; in: string; want: { base: string; prefix: number } | undefined }[] = [
    { name: 'host bits cleared', in: '10.0.0.5/24', want: { base: '10.0.0.0', prefix: 24 } },
    { name: '/0', in: '1.2.3.4/0', want: { base: '0.0.0.0', prefix: 0 } },
    { name: 'prefix above 32', in: '10.0.0.0/33', want: undefined },
    { name: 'no prefix', in: '10.0.0.0', want: undefined },
    { name: 'two slashes', in: '10.0.0.0/16/8', want: undefined },
    { name: 'bad address', in: '10.0.0/16', want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = parseIPv4CIDR(c.in);
      assert.deepEqual(got && { base: formatIPv4(got.base), prefix: got.prefix }, c.want);
    });
  }
});
