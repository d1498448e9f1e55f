/**
 * The certificates a server needs, kept in one directory and created on the
 * first start. Later starts reuse them; only the serving certificate is
 * re-issued, when the names or addresses clients use are no longer covered
 * or it is close to expiry. The CA is never replaced while its files exist,
 * so kubeconfigs handed out earlier keep working.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { generateKeyPair, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { realClock } from '../clock.js';
import { createCA, issueCertificate, type KeyPairPEM } from './certificate.js';
import { parseCertificate, missingSANs } from './parse.js';

export interface ServiceAccountKeyPEM {
  privateKeyPEM: string;
  publicKeyPEM: string;
}

export interface ClusterPKI {
  dir: string;
  ca: KeyPairPEM;
  serving: KeyPairPEM;
  admin: KeyPairPEM;
  /** The API server's client identity towards kubelets (logs, exec, port-forward, metrics). */
  kubeletClient: KeyPairPEM;
  /**
   * The service-account signing key. On a first start it is still being
   * generated when the certificates are ready (an RSA key takes a few hundred
   * ms), so a server can start serving meanwhile; token issuers and
   * authenticators wait for it.
   */
  serviceAccount: Promise<ServiceAccountKeyPEM>;
  /** The SANs the serving certificate was checked against. */
  servingSANs: { dnsNames: string[]; ipAddresses: string[] };
  /** Which files this call wrote (empty when everything was reused); the service-account key's once `serviceAccount` resolved. */
  written: string[];
}

export interface HostIdentity {
  hostname: string;
  addresses: string[];
}

export interface EnsureClusterPKIOptions {
  /** Extra names and addresses for the serving certificate (e.g. the first service IP). */
  sans: { dnsNames: string[]; ipAddresses: string[] };
  clock?: Clock;
  /** Where the host's own name and addresses come from; the OS unless given. */
  host?: HostIdentity;
}

export const clusterPKIFiles = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'serving.crt',
  servingKey: 'serving.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  kubeletClientCert: 'apiserver-kubelet-client.crt',
  kubeletClientKey: 'apiserver-kubelet-client.key',
  serviceAccountKey: 'sa.key',
  serviceAccountPub: 'sa.pub',
} as const;

export const caCommonName = 'k8ts-ca';
/** As k3s: the admin kubeconfig's user is system:admin in system:masters. */
export const adminCommonName = 'system:admin';
export const adminOrganization = 'system:masters';
/**
 * As kubeadm names the API server's certificate towards kubelets. kubeadm put
 * it in system:masters until v1.29 and in kubeadm:cluster-admins since, a
 * group that is only as strong as its ClusterRoleBinding; we follow current
 * kubeadm.
 */
export const kubeletClientCommonName = 'kube-apiserver-kubelet-client';
export const kubeletClientOrganization = 'kubeadm:cluster-admins';

const builtinDNSNames = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
const builtinIPs = ['127.0.0.1', '::1'];
// Renew the serving certificate once less than this remains, as k3s does.
const renewBeforeMs = 90 * 24 * 60 * 60 * 1000;

export function localHostIdentity(): HostIdentity {
  const addresses: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      // Link-local IPv6 addresses need a zone to be usable, so no client dials them.
      if (a.internal || (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) continue;
      addresses.push(a.address);
    }
  }
  return { hostname: os.hostname(), addresses };
}

export function servingSANs(
  host: HostIdentity,
  extra: { dnsNames: string[]; ipAddresses: string[] },
): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = unique([...builtinDNSNames, host.hostname, ...extra.dnsNames].filter((d) => d !== ''));
  const ipAddresses = unique([...builtinIPs, ...host.addresses, ...extra.ipAddresses]);
  return { dnsNames, ipAddresses };
}

export async function ensureClusterPKI(dir: string, opts: EnsureClusterPKIOptions): Promise<ClusterPKI> {
  const clock = opts.clock ?? realClock;
  const sans = servingSANs(opts.host ?? localHostIdentity(), opts.sans);
  const file = (name: string) => path.join(dir, name);
  const written: string[] = [];
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const serviceAccount = ensureServiceAccountKey(file(clusterPKIFiles.serviceAccountKey), file(clusterPKIFiles.serviceAccountPub), written);
  // Whoever uses the key sees a failure; until then it must not count as unhandled.
  serviceAccount.catch(() => undefined);

  let ca = await readPair(file(clusterPKIFiles.caCert), file(clusterPKIFiles.caKey));
  const freshCA = !ca;
  if (!ca) {
    ca = await createCA({ commonName: caCommonName, clock });
    await writePair(ca, file(clusterPKIFiles.caCert), file(clusterPKIFiles.caKey), written);
  }

  let serving = freshCA ? undefined : await readPair(file(clusterPKIFiles.servingCert), file(clusterPKIFiles.servingKey));
  if (!serving || !servingStillGood(serving, ca, sans, clock)) {
    serving = await issueCertificate(ca, { commonName: 'kube-apiserver', ...sans, usage: 'server', clock });
    await writePair(serving, file(clusterPKIFiles.servingCert), file(clusterPKIFiles.servingKey), written);
  }

  let admin = freshCA ? undefined : await readPair(file(clusterPKIFiles.adminCert), file(clusterPKIFiles.adminKey));
  if (!admin || !signedBy(admin, ca)) {
    admin = await issueCertificate(ca, {
      commonName: adminCommonName,
      organizations: [adminOrganization],
      usage: 'client',
      clock,
    });
    await writePair(admin, file(clusterPKIFiles.adminCert), file(clusterPKIFiles.adminKey), written);
  }

  // Servers whose directory predates this certificate get it on their next start.
  let kubeletClient = freshCA ? undefined : await readPair(file(clusterPKIFiles.kubeletClientCert), file(clusterPKIFiles.kubeletClientKey));
  if (!kubeletClient || !signedBy(kubeletClient, ca)) {
    kubeletClient = await issueCertificate(ca, {
      commonName: kubeletClientCommonName,
      organizations: [kubeletClientOrganization],
      usage: 'client',
      clock,
    });
    await writePair(kubeletClient, file(clusterPKIFiles.kubeletClientCert), file(clusterPKIFiles.kubeletClientKey), written);
  }

  return { dir, ca, serving, admin, kubeletClient, serviceAccount, servingSANs: sans, written };
}

async function ensureServiceAccountKey(keyPath: string, pubPath: string, written: string[]): Promise<ServiceAccountKeyPEM> {
  if (existsSync(keyPath) && existsSync(pubPath)) return { privateKeyPEM: await readFile(keyPath, 'utf8'), publicKeyPEM: await readFile(pubPath, 'utf8') };
  const key = await createServiceAccountKey();
  await writeSecret(keyPath, key.privateKeyPEM, written);
  await writePublic(pubPath, key.publicKeyPEM, written);
  return key;
}

/** RSA 2048 as kubeadm and k3s use for service-account tokens (RS256). */
async function createServiceAccountKey(): Promise<ServiceAccountKeyPEM> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPEM: privateKey, publicKeyPEM: publicKey };
}

function servingStillGood(
  serving: KeyPairPEM,
  ca: KeyPairPEM,
  sans: { dnsNames: string[]; ipAddresses: string[] },
  clock: Clock,
): boolean {
  if (!signedBy(serving, ca)) return false;
  const parsed = parseCertificate(serving.certPEM);
  // A certificate from a clock that ran ahead is as useless as an expired one.
  if (parsed.notBefore.getTime() > clock.now()) return false;
  if (parsed.notAfter.getTime() - clock.now() < renewBeforeMs) return false;
  const missing = missingSANs(parsed, sans);
  return missing.dnsNames.length === 0 && missing.ipAddresses.length === 0;
}

function signedBy(leaf: KeyPairPEM, ca: KeyPairPEM): boolean {
  try {
    const caCert = new X509Certificate(ca.certPEM);
    return new X509Certificate(leaf.certPEM).verify(caCert.publicKey);
  } catch {
    return false;
  }
}

async function readPair(certPath: string, keyPath: string): Promise<KeyPairPEM | undefined> {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  return { certPEM: await readFile(certPath, 'utf8'), keyPEM: await readFile(keyPath, 'utf8') };
}

async function writePair(pair: KeyPairPEM, certPath: string, keyPath: string, written: string[]): Promise<void> {
  await writeSecret(keyPath, pair.keyPEM, written);
  await writePublic(certPath, pair.certPEM, written);
}

async function writeSecret(p: string, data: string, written: string[]): Promise<void> {
  await writeFile(p, data, { mode: 0o600 });
  // The mode option only applies when the file is created.
  await chmod(p, 0o600);
  written.push(p);
}

async function writePublic(p: string, data: string, written: string[]): Promise<void> {
  await writeFile(p, data, { mode: 0o644 });
  written.push(p);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
