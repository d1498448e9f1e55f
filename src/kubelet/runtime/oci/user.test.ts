import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGroup, parsePasswd, resolveUser, type UserRequest } from './user.js';

const passwd = parsePasswd('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n# comment\nbroken\n');
const groups = parseGroup('root:x:0:\nwheel:x:10:app,other\napp:x:1001:\nstaff:x:50:\n');

const cases: { name: string; req: UserRequest; want: ReturnType<typeof resolveUser> }[] = [
  { name: 'no user is root', req: {}, want: { ok: true, user: { uid: 0, gid: 0, additionalGids: [] } } },
  { name: 'image user by name', req: { imageUser: 'app' }, want: { ok: true, user: { uid: 1000, gid: 1001, additionalGids: [10] } } },
  { name: 'image user uid:group name', req: { imageUser: '1000:staff' }, want: { ok: true, user: { uid: 1000, gid: 50, additionalGids: [10] } } },
  { name: 'runAsUser beats the image', req: { imageUser: 'app', runAsUser: 1000 }, want: { ok: true, user: { uid: 1000, gid: 1001, additionalGids: [10] } } },
  { name: 'unknown uid gets gid 0', req: { runAsUser: 4242 }, want: { ok: true, user: { uid: 4242, gid: 0, additionalGids: [] } } },
  { name: 'runAsGroup and supplementalGroups', req: { runAsUser: 1000, runAsGroup: 7, supplementalGroups: [10, 3000] }, want: { ok: true, user: { uid: 1000, gid: 7, additionalGids: [10, 3000] } } },
  { name: 'unknown user name', req: { imageUser: 'ghost' }, want: { ok: false, message: 'unable to find user ghost: no matching entries in passwd file' } },
  { name: 'unknown group name', req: { imageUser: 'app:ghosts' }, want: { ok: false, message: 'unable to find group ghosts: no matching entries in group file' } },
];

for (const c of cases) test(`resolveUser: ${c.name}`, () => assert.deepEqual(resolveUser(c.req, passwd, groups), c.want));
