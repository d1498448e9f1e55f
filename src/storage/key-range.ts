/**
 * Prefix ranges as etcd defines them: every key that starts with the prefix
 * lies in [prefix, rangeEnd), comparing keys as UTF-8 bytes.
 */

/** The smallest byte string greater than every key with this prefix; [0] means "to the end of the keyspace". */
export function prefixRangeEnd(prefix: string): Uint8Array {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Uint8Array.of(0);
}

/** Byte order of the UTF-8 encodings, which is the order etcd and sqlite use. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order except around surrogates; only pay for
  // the exact comparison when a non-BMP-adjacent code unit is involved.
  if (/[\ud800-\uffff]/.test(a) || /[\ud800-\uffff]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}
