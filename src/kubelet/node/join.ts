/**
 * The agent's side of joining a cluster with a node token: download the CA
 * from `/cacerts` without trusting it, accept it only if its sha256 matches
 * the token's (k3s's `K10<hash>::` scheme), then have the server sign two
 * locally generated keys over TLS verified by that CA: a client certificate
 * (`system:node:<name>` in `system:nodes`) and the serving certificate of the
 * agent's HTTPS port. Credentials are kept in a directory and reused while
 * they are signed by the same CA, far from expiry, and cover the addresses.
 * A random node password, kept next to the agent's state, goes with every
 * join: the server pins the node name to the first password it sees.
 */
import { X509Certificate, createHash, randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import type { KeyPairPEM } from '../../machinery/pki/certificate.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const NODE_CERT_PATH = '/v1-k8ts/node-cert';

export interface JoinToken {
  caHash?: string;
  secret: string;
}

export type JoinResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Reads a k3s-format token (`K10<hash>::<user>:<secret>`) or a bare secret. */
export function parseJoinToken(raw: string): JoinResult<JoinToken> {
  const t = raw.trim();
  if (!t) return { ok: false, message: 'token is empty' };
  if (!t.startsWith('K10')) return /[\s:]/.test(t) ? { ok: false, message: 'invalid token format' } : { ok: true, value: { secret: t } };
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(t);
  if (!m) return { ok: false, message: 'invalid token format: want K10<sha256 hex>::<user>:<secret>' };
  return { ok: true, value: { caHash: m[1]!, secret: m[2]! } };
}

/** Whether `caPEM` (as served) is the CA the token pins; a token without a hash pins nothing. */
export function caMatchesToken(caPEM: string, token: JoinToken): boolean {
  return !token.caHash || createHash('sha256').update(caPEM, 'utf8').digest('hex') === token.caHash;
}

function request(url: URL, opts: { method: string; ca?: string; body?: string; headers?: Record<string, string>; signal?: AbortSignal }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: opts.method,
        // Only /cacerts is fetched without a CA, and what it returns is checked against the token.
        ca: opts.ca,
        rejectUnauthorized: opts.ca !== undefined,
        headers: opts.headers,
        signal: opts.signal,
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url.origin} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The server's CA, accepted only when it matches the token. */
export async function fetchClusterCA(server: string, token: JoinToken, signal?: AbortSignal): Promise<JoinResult<string>> {
  let res;
  try {
    res = await request(new URL('/cacerts', server), { method: 'GET', signal });
  } catch (err) {
    return { ok: false, message: `cannot reach ${server}: ${(err as Error).message}` };
  }
  if (res.status !== 200) return { ok: false, message: `GET /cacerts: HTTP ${res.status}` };
  if (!caMatchesToken(res.body, token)) return { ok: false, message: 'token CA hash does not match the server CA hash' };
  return { ok: true, value: res.body };
}

export interface CertificateRequestPEM {
  csrPEM: string;
  keyPEM: string;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A fresh P-256 key and a PKCS#10 request for `system:node:<name>` (with SANs for serving). */
export async function nodeCertificateRequest(nodeName: string, sans: { ipAddresses?: string[]; dnsNames?: string[] } = {}): Promise<CertificateRequestPEM> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names: x509.JsonGeneralNames = [...(sans.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(sans.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ O: ['system:nodes'] }, { CN: [`system:node:${nodeName}`] }],
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: alg,
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  const keyPEM = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') + '\n';
  return { csrPEM: csr.toString('pem'), keyPEM };
}

/** The agent's node password: read from `file`, or created there (random, owner-only) on first use. */
export async function ensureAgentNodePassword(file: string): Promise<string> {
  if (existsSync(file)) {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing) return existing;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const password = randomBytes(32).toString('hex');
  await writeSecret(file, password + '\n');
  return password;
}

/** The `message` of a Status body, or the body's start. */
function statusMessage(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof m === 'string' && m) return m;
  } catch {
    // not a Status: the raw text says what there is to say
  }
  return body.slice(0, 300);
}

/** Asks the server to sign `csrPEM`; the connection is verified with the (already pinned) CA. */
export async function requestNodeCertificate(o: { server: string; caPEM: string; secret: string; usage: 'client' | 'serving'; csrPEM: string; nodePassword?: string; signal?: AbortSignal }): Promise<JoinResult<string>> {
  let res;
  try {
    res = await request(new URL(NODE_CERT_PATH, o.server), {
      method: 'POST',
      ca: o.caPEM,
      body: JSON.stringify({ usage: o.usage, csr: o.csrPEM, ...(o.nodePassword ? { nodePassword: o.nodePassword } : {}) }),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`node:${o.secret}`).toString('base64')}` },
      signal: o.signal,
    });
  } catch (err) {
    return { ok: false, message: `cannot reach ${o.server}: ${(err as Error).message}` };
  }
  if (res.status === 401) return { ok: false, message: 'the server refused the token (401 Unauthorized)' };
  if (res.status === 403) return { ok: false, message: `the server refused this node's password (403 Forbidden): ${statusMessage(res.body)}` };
  if (res.status !== 200) return { ok: false, message: `POST ${NODE_CERT_PATH}: HTTP ${res.status}: ${res.body.slice(0, 300)}` };
  try {
    const cert = (JSON.parse(res.body) as { certificate?: string }).certificate;
    if (!cert) return { ok: false, message: 'the server answered without a certificate' };
    return { ok: true, value: cert };
  } catch {
    return { ok: false, message: 'the server answered with malformed JSON' };
  }
}

export interface NodeCredentials {
  caPEM: string;
  client: KeyPairPEM;
  serving: KeyPairPEM;
}

export const credentialFiles = { ca: 'ca.crt', clientCert: 'client.crt', clientKey: 'client.key', servingCert: 'serving.crt', servingKey: 'serving.key' } as const;

const renewBeforeMs = 30 * 24 * 60 * 60 * 1000;

function stillGood(pair: KeyPairPEM | undefined, caPEM: string, nodeName: string, now: number, want?: { ipAddresses: string[]; dnsNames: string[] }): boolean {
  if (!pair) return false;
  try {
    const cert = new X509Certificate(pair.certPEM);
    // Credentials of another node name (the flag changed) are replaced, not reused.
    if (!cert.subject.split('\n').includes(`CN=system:node:${nodeName}`)) return false;
    if (!cert.verify(new X509Certificate(caPEM).publicKey)) return false;
    if (Date.parse(cert.validTo) - now < renewBeforeMs) return false;
    if (want) {
      const san = cert.subjectAltName ?? '';
      if (!want.ipAddresses.every((ip) => san.includes(`IP Address:${ip}`)) || !want.dnsNames.every((d) => san.includes(`DNS:${d}`))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function readPair(dir: string, cert: string, key: string): Promise<KeyPairPEM | undefined> {
  const c = path.join(dir, cert);
  const k = path.join(dir, key);
  if (!existsSync(c) || !existsSync(k)) return undefined;
  return { certPEM: await readFile(c, 'utf8'), keyPEM: await readFile(k, 'utf8') };
}

async function writeSecret(file: string, data: string): Promise<void> {
  await writeFile(file, data, { mode: 0o600 });
  await chmod(file, 0o600);
}

export interface JoinOptions {
  server: string;
  token: string;
  nodeName: string;
  /** Where credentials live (`<data-dir>/agent/tls`). */
  dir: string;
  servingSANs: { ipAddresses: string[]; dnsNames: string[] };
  /** The node password file (`<data-dir>/node-password`); created on first join. */
  passwordFile?: string;
  now?: () => number;
  signal?: AbortSignal;
}

/** The node's credentials: reused from `dir` when still good, otherwise obtained with the token. */
export async function joinCluster(o: JoinOptions): Promise<JoinResult<NodeCredentials>> {
  const token = parseJoinToken(o.token);
  if (!token.ok) return token;
  const ca = await fetchClusterCA(o.server, token.value, o.signal);
  if (!ca.ok) return ca;
  const caPEM = ca.value;
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const now = (o.now ?? Date.now)();
  const nodePassword = o.passwordFile ? await ensureAgentNodePassword(o.passwordFile) : undefined;
  const obtain = async (usage: 'client' | 'serving', existing: KeyPairPEM | undefined, want?: JoinOptions['servingSANs']): Promise<JoinResult<KeyPairPEM>> => {
    if (stillGood(existing, caPEM, o.nodeName, now, want)) return { ok: true, value: existing! };
    const req = await nodeCertificateRequest(o.nodeName, want);
    const signed = await requestNodeCertificate({ server: o.server, caPEM, secret: token.value.secret, usage, csrPEM: req.csrPEM, nodePassword, signal: o.signal });
    if (!signed.ok) return signed;
    return { ok: true, value: { certPEM: signed.value, keyPEM: req.keyPEM } };
  };
  // With a password the client certificate is asked for at every start, so the server checks the
  // password each time: an agent whose name was taken over (its Node deleted, joined by another) stops.
  const client = await obtain('client', nodePassword ? undefined : await readPair(o.dir, credentialFiles.clientCert, credentialFiles.clientKey));
  if (!client.ok) return client;
  const serving = await obtain('serving', await readPair(o.dir, credentialFiles.servingCert, credentialFiles.servingKey), o.servingSANs);
  if (!serving.ok) return serving;
  await writeFile(path.join(o.dir, credentialFiles.ca), caPEM, { mode: 0o644 });
  await writeSecret(path.join(o.dir, credentialFiles.clientKey), client.value.keyPEM);
  await writeFile(path.join(o.dir, credentialFiles.clientCert), client.value.certPEM, { mode: 0o644 });
  await writeSecret(path.join(o.dir, credentialFiles.servingKey), serving.value.keyPEM);
  await writeFile(path.join(o.dir, credentialFiles.servingCert), serving.value.certPEM, { mode: 0o644 });
  return { ok: true, value: { caPEM, client: client.value, serving: serving.value } };
}
