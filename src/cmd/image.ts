/**
 * `k8ts image import|ls|rm`: manages the node's image store directly, so
 * air-gapped nodes need no registry. Output follows `crictl images` and
 * `crictl rmi`.
 */
import path from 'node:path';
import { importImageArchive } from '../kubelet/images/import.js';
import { LocalImageService } from '../kubelet/images/image-service.js';
import type { Image } from '../kubelet/runtime/interface.js';
import { type FlagSpec, UsageError, formatUsage, parseFlags } from './flags.js';
import { defaultDataDir } from './data-dir.js';

const common: FlagSpec[] = [
  { name: 'data-dir', aliases: ['d'], kind: 'string', usage: 'Folder to hold state', env: 'K8TS_DATA_DIR' },
  { name: 'help', aliases: ['h'], kind: 'bool', usage: 'show help', default: false },
];
const importFlags: FlagSpec[] = [...common, { name: 'base-name', kind: 'string', usage: 'Repository for OCI layouts whose images are named by tag only' }];
const lsFlags: FlagSpec[] = [...common, { name: 'quiet', aliases: ['q'], kind: 'bool', usage: 'Only show image IDs', default: false }, { name: 'digests', kind: 'bool', usage: 'Show digests', default: false }];

export interface ImageCommandIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIO: ImageCommandIO = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

function service(values: Record<string, unknown>): LocalImageService {
  const dataDir = path.resolve(String(values['data-dir'] ?? defaultDataDir()));
  return new LocalImageService({ root: path.join(dataDir, 'agent', 'images') });
}

/** Decimal units with three significant digits, as crictl prints sizes (`2.22MB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** Columns padded like Go's tabwriter(minwidth 20, padding 3). */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(20, ...rows.map((r) => r[c]!.length + 3)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('')).join('\n') + '\n';
}

function splitRepoTag(t: string): [string, string] {
  const i = t.lastIndexOf(':');
  return i > t.lastIndexOf('/') ? [t.slice(0, i), t.slice(i + 1)] : [t, '<none>'];
}

export function formatImageTable(images: Image[], { digests = false }: { digests?: boolean } = {}): string {
  const header = digests ? ['IMAGE', 'TAG', 'DIGEST', 'IMAGE ID', 'SIZE'] : ['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'];
  const rows = [header];
  for (const img of [...images].sort((a, b) => (a.repoTags[0] ?? a.repoDigests[0] ?? a.id).localeCompare(b.repoTags[0] ?? b.repoDigests[0] ?? b.id))) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 13);
    const digest = (img.repoDigests[0]?.split('@')[1] ?? '').replace(/^sha256:/, '').slice(0, 13) || '<none>';
    const repoTags = img.repoTags.length ? img.repoTags.map(splitRepoTag) : [[img.repoDigests[0]?.split('@')[0] ?? '<none>', '<none>'] as [string, string]];
    for (const [repo, tag] of repoTags) rows.push(digests ? [repo, tag, digest, id, humanSize(img.size)] : [repo, tag, id, humanSize(img.size)]);
  }
  return table(rows);
}

export async function runImage(argv: string[], io: ImageCommandIO = processIO): Promise<number> {
  const [sub, ...rest] = argv;
  const usage = 'k8ts image import FILE | ls | rm IMAGE...';
  switch (sub) {
    case 'import': {
      const { values, args } = parseFlags(importFlags, rest);
      if (values.help) return io.stdout(formatUsage('image import', 'Import images from an OCI layout or a docker save tarball', importFlags)), 0;
      if (args.length !== 1) throw new UsageError('image import needs exactly one FILE');
      const svc = service(values);
      const file = path.resolve(args[0]!);
      let imported;
      try {
        imported = await importImageArchive(svc, file, { baseName: values['base-name'] as string | undefined });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        io.stderr(`error: cannot import ${file}: ${e.code === 'ENOENT' && e.path === file ? 'no such file or directory' : e.message}\n`);
        return 1;
      }
      for (const i of imported) io.stdout(`imported ${i.repoTags.length ? i.repoTags.join(', ') : '<untagged>'} (${i.id})\n`);
      return 0;
    }
    case 'ls':
    case 'list': {
      const { values, args } = parseFlags(lsFlags, rest);
      if (values.help) return io.stdout(formatUsage('image ls', 'List images', lsFlags)), 0;
      if (args.length) throw new UsageError(`unexpected argument: ${args[0]}`);
      const images = await service(values).listImages();
      if (values.quiet) io.stdout(images.map((i) => `${i.id}\n`).join(''));
      else io.stdout(formatImageTable(images, { digests: values.digests === true }));
      return 0;
    }
    case 'rm':
    case 'rmi': {
      const { values, args } = parseFlags(common, rest);
      if (values.help) return io.stdout(formatUsage('image rm', 'Remove images', common)), 0;
      if (!args.length) throw new UsageError('image rm needs at least one IMAGE');
      const svc = service(values);
      let code = 0;
      for (const ref of args) {
        const img = await svc.imageStatus({ image: ref });
        if (!img) {
          io.stderr(`no such image ${ref} present\n`);
          code = 1;
          continue;
        }
        await svc.removeImage({ image: img.id });
        for (const t of img.repoTags.length ? img.repoTags : [img.id]) io.stdout(`Deleted: ${t}\n`);
      }
      return code;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(`USAGE:\n   ${usage}\n\nCOMMANDS:\n   import   Import images from an OCI layout (dir or tar) or a docker save tarball\n   ls       List images (like crictl images)\n   rm       Remove images\n`);
      return 0;
    default:
      throw new UsageError(`unknown image command "${sub}" (${usage})`);
  }
}
