/**
 * Which uid, gid and supplementary groups a container process runs as, from
 * the security context or the image's USER, resolved against the image's own
 * /etc/passwd and /etc/group as containerd does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid)) out.push({ name: f[0]!, uid, gid });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const gid = Number(f[2]);
    if (Number.isInteger(gid)) out.push({ name: f[0]!, gid, members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

export interface UserRequest {
  runAsUser?: number;
  runAsGroup?: number;
  runAsUsername?: string;
  supplementalGroups?: number[];
  /** The image config's USER: `name`, `uid`, `name:group`, `uid:gid`. */
  imageUser?: string;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export type UserResult = { ok: true; user: ResolvedUser } | { ok: false; message: string };

const isNumeric = (s: string) => /^\d+$/.test(s);

export function resolveUser(req: UserRequest, passwd: PasswdEntry[], groups: GroupEntry[]): UserResult {
  let uid: number;
  let gid: number | undefined;
  let name: string | undefined;
  if (req.runAsUser !== undefined) {
    uid = req.runAsUser;
    const e = passwd.find((p) => p.uid === uid);
    name = e?.name;
    gid = e?.gid;
  } else {
    const spec = req.runAsUsername ?? req.imageUser ?? '';
    const [u = '', g] = spec.split(':', 2);
    if (u === '') {
      uid = 0;
      name = passwd.find((p) => p.uid === 0)?.name;
      gid = 0;
    } else if (isNumeric(u)) {
      uid = Number(u);
      const e = passwd.find((p) => p.uid === uid);
      name = e?.name;
      gid = e?.gid;
    } else {
      const e = passwd.find((p) => p.name === u);
      if (!e) return { ok: false, message: `unable to find user ${u}: no matching entries in passwd file` };
      uid = e.uid;
      gid = e.gid;
      name = e.name;
    }
    if (g !== undefined && g !== '') {
      if (isNumeric(g)) gid = Number(g);
      else {
        const ge = groups.find((x) => x.name === g);
        if (!ge) return { ok: false, message: `unable to find group ${g}: no matching entries in group file` };
        gid = ge.gid;
      }
    }
  }
  if (req.runAsGroup !== undefined) gid = req.runAsGroup;
  const finalGid = gid ?? 0;
  const additional: number[] = [];
  const add = (g: number) => {
    if (!additional.includes(g)) additional.push(g);
  };
  if (name !== undefined) for (const ge of groups) if (ge.members.includes(name)) add(ge.gid);
  for (const g of req.supplementalGroups ?? []) add(g);
  return { ok: true, user: { uid, gid: finalGid, additionalGids: additional } };
}

/** Reads the image's account files from a mounted rootfs; a missing file is an empty list. */
export function readAccounts(rootfs: string): { passwd: PasswdEntry[]; groups: GroupEntry[] } {
  const read = (p: string) => {
    try {
      return readFileSync(path.join(rootfs, p), 'utf8');
    } catch {
      return '';
    }
  };
  return { passwd: parsePasswd(read('etc/passwd')), groups: parseGroup(read('etc/group')) };
}
