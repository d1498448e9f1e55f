/**
 * Image references, normalised the way Docker and containerd do it: a
 * missing domain means docker.io, single-component names on docker.io get
 * `library/`, a missing tag means `latest` unless a digest pins the image.
 * Error texts are the upstream ones, so ErrImagePull messages read the same.
 */
export interface ImageReference {
  /** Registry host (and port) as written, `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path inside the registry (`library/busybox`). */
  path: string;
  tag?: string;
  digest?: string;
}

export type ParseReferenceResult = { ok: true; ref: ImageReference } | { ok: false; message: string };

export const DOCKER_HUB = 'docker.io';

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainRe = new RegExp(`^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`);
const pathComponentRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const anchoredIdentifier = /^[a-f0-9]{64}$/;

const invalid = (detail?: string): ParseReferenceResult => ({ ok: false, message: detail ? `invalid reference format: ${detail}` : 'invalid reference format' });

/** Parses a reference as users write it into its normalised form. */
export function parseReference(input: string): ParseReferenceResult {
  if (anchoredIdentifier.test(input)) return { ok: false, message: `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings` };
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) return invalid();
    if (digest.startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(digest)) return { ok: false, message: 'invalid checksum digest format' };
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!tagRe.test(tag)) return invalid();
  }
  if (rest === '') return invalid();
  let domain = DOCKER_HUB;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (!domainRe.test(domain)) return invalid();
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  if (path.toLowerCase() !== path) return invalid('repository name must be lowercase');
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (!path.split('/').every((c) => pathComponentRe.test(c))) return invalid();
  if (`${domain}/${path}`.length > 255) return { ok: false, message: 'repository name must not be more than 255 characters' };
  if (!tag && !digest) tag = 'latest';
  return { ok: true, ref: { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) } };
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The canonical string: `docker.io/library/busybox:latest`, `host/x@sha256:...`, or both parts. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The short form people type (`busybox:latest`, `myorg/app:1`), as `docker images` shows it. */
export function familiarName(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.domain === DOCKER_HUB) name = ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
