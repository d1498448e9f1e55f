/**
 * Writes ustar archives, with pax extended headers for names, link targets
 * and sizes that do not fit the fixed fields. Used to build layers and
 * `docker save` style tarballs; the output is deterministic for a given input.
 */
import type { TarEntryType, TarWriteEntry } from './tar-entry.js';

const BLOCK = 512;

const typeFlags: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function header(fields: { name: string; mode: number; uid: number; gid: number; size: number; mtime: number; type: string; linkname: string; uname?: string; gname?: string; devmajor?: number; devminor?: number }): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(fields.name, 0, 100, 'utf8');
  h.write(octal(fields.mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(fields.uid, 8), 108, 8, 'ascii');
  h.write(octal(fields.gid, 8), 116, 8, 'ascii');
  h.write(octal(fields.size, 12), 124, 12, 'ascii');
  h.write(octal(Math.max(0, Math.floor(fields.mtime)), 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(fields.type, 156, 1, 'ascii');
  h.write(fields.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(fields.uname ?? '', 265, 32, 'utf8');
  h.write(fields.gname ?? '', 297, 32, 'utf8');
  h.write(octal(fields.devmajor ?? 0, 8), 329, 8, 'ascii');
  h.write(octal(fields.devminor ?? 0, 8), 337, 8, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

function pad(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** Serialises entries into one uncompressed tar archive (with the two zero end blocks). */
export function writeTar(entries: readonly TarWriteEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const name = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
    const linkname = e.linkname ?? '';
    const records: Buffer[] = [];
    if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name));
    if (Buffer.byteLength(linkname) > 100) records.push(paxRecord('linkpath', linkname));
    if (data.length > 0o77777777777) records.push(paxRecord('size', String(data.length)));
    for (const [k, v] of Object.entries(e.xattrs ?? {})) records.push(paxRecord(`SCHILY.xattr.${k}`, v));
    if (records.length) {
      const body = Buffer.concat(records);
      out.push(header({ name: 'PaxHeaders/' + name.slice(0, 80), mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: e.mtime ?? 0, type: 'x', linkname: '' }), body, pad(body.length));
    }
    out.push(
      header({
        name: Buffer.byteLength(name) > 100 ? name.slice(0, 99) : name,
        mode: e.mode ?? (e.type === 'dir' ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        size: data.length > 0o77777777777 ? 0 : data.length,
        mtime: e.mtime ?? 0,
        type: typeFlags[e.type],
        linkname: Buffer.byteLength(linkname) > 100 ? linkname.slice(0, 99) : linkname,
        uname: e.uname,
        gname: e.gname,
        devmajor: e.devmajor,
        devminor: e.devminor,
      }),
    );
    if (data.length) out.push(data, pad(data.length));
  }
  out.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(out);
}
