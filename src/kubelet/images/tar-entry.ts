/**
 * One member of a tar archive as the reader reports it and the writer takes
 * it. Paths are relative, `/`-separated, without a leading `./` or `/`.
 */
export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Target of a symlink, or the archive path a hardlink points at. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  uname?: string;
  gname?: string;
  /** SCHILY.xattr.* pax records. */
  xattrs?: Record<string, string>;
}

/** What the writer needs: a header without size (derived from data) plus the file's bytes. */
export interface TarWriteEntry extends Omit<TarHeader, 'size' | 'mode' | 'uid' | 'gid' | 'mtime'> {
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  data?: Buffer;
}

/** Cleans an archive path: strips `./` and leading `/`, collapses duplicate slashes and trailing `/`. */
export function cleanArchivePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    parts.push(seg);
  }
  return parts.join('/');
}
