/**
 * Certificate issuance for the cluster: one self-signed CA and leaf
 * certificates signed by it. ECDSA P-256 with SHA-256 keeps keys small and
 * is accepted by Go's crypto/tls, so kubectl and client-go load them as-is.
 */
import { webcrypto, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../clock.js';
import { realClock } from '../clock.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as any);

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A certificate and its private key, both PEM (key as PKCS#8). */
export interface KeyPairPEM {
  certPEM: string;
  keyPEM: string;
}

export type CertificateUsage = 'server' | 'client' | 'both';

export interface CreateCAOptions {
  commonName: string;
  /** Validity in days; 10 years unless given, as kubeadm and k3s do. */
  days?: number;
  clock?: Clock;
}

export interface IssueCertificateOptions {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertificateUsage;
  /** Validity in days; one year unless given. */
  days?: number;
  clock?: Clock;
}

const dayMs = 24 * 60 * 60 * 1000;
// Certificates are back-dated a little so a peer whose clock lags slightly
// does not see them as not yet valid.
const backdateMs = 5 * 60 * 1000;

export async function createCA(opts: CreateCAOptions): Promise<KeyPairPEM> {
  const now = (opts.clock ?? realClock).now();
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [opts.commonName] }],
    notBefore: new Date(now - backdateMs),
    notAfter: new Date(now + (opts.days ?? 3650) * dayMs),
    keys,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPEM: cert.toString('pem') + '\n', keyPEM: await exportKeyPEM(keys.privateKey) };
}

export async function issueCertificate(ca: KeyPairPEM, opts: IssueCertificateOptions): Promise<KeyPairPEM> {
  const now = (opts.clock ?? realClock).now();
  const caCert = new x509.X509Certificate(ca.certPEM);
  const caKey = await importKeyPEM(ca.keyPEM);
  const keys = await generateKeys();
  const extUsages: string[] = [];
  if (opts.usage === 'server' || opts.usage === 'both') extUsages.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.usage === 'client' || opts.usage === 'both') extUsages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(extUsages),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  const sans: x509.JsonGeneralNames = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    // Go orders O before CN in a subject; keep that order so openssl and Go print subjects identically.
    subject: [...(opts.organizations ?? []).map((o) => ({ O: [o] })), { CN: [opts.commonName] }],
    issuer: caCert.subject,
    notBefore: new Date(now - backdateMs),
    notAfter: new Date(now + (opts.days ?? 365) * dayMs),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: signing,
    extensions,
  });
  return { certPEM: cert.toString('pem') + '\n', keyPEM: await exportKeyPEM(keys.privateKey) };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKeyPEM(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function importKeyPEM(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM block in CA private key');
  return crypto.subtle.importKey('pkcs8', der, ecdsa, false, ['sign']);
}

/** 128 random bits, top bit cleared so the DER integer stays positive. */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}
