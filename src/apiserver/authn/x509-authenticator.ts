/**
 * Client-certificate authentication. The TLS server asks for a certificate
 * but accepts any (so that token and anonymous requests still get through),
 * which makes this the place where the chain is checked against the client
 * CA: a certificate that does not verify is rejected, not ignored.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../../machinery/clock.js';
import { realClock } from '../../machinery/clock.js';
import { parseCertificate } from '../../machinery/pki/index.js';
import { noCredentials, type AuthnRequest, type AuthnResult, type Authenticator } from './types.js';

const clientAuthOID = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsageOID = '2.5.29.37.0';
// Go stops building chains well before this; it only guards against loops.
const maxChainLength = 10;

export interface X509AuthenticatorOptions {
  /** PEM bundle of the CAs that sign client certificates. */
  clientCAPEM: string;
  clock?: Clock;
}

export class X509Authenticator implements Authenticator {
  private readonly roots: X509Certificate[];
  private readonly clock: Clock;

  constructor(opts: X509AuthenticatorOptions) {
    this.roots = splitPEM(opts.clientCAPEM).map((p) => new X509Certificate(p));
    if (this.roots.length === 0) throw new Error('client CA bundle holds no certificate');
    this.clock = opts.clock ?? realClock;
  }

  authenticate(req: AuthnRequest): AuthnResult {
    const presented = certificatesOf(req.peerCertificate);
    if (presented.length === 0) return noCredentials;
    const [leaf, ...intermediates] = presented as [X509Certificate, ...X509Certificate[]];
    const failure = this.verify(leaf, intermediates);
    if (failure) return { kind: 'invalid', message: `verifying certificate ${certificateIdentifier(leaf)} failed: ${failure}` };
    const { subject } = parseCertificate(leaf.raw);
    const username = subject.commonName;
    // A certificate without a common name names nobody; upstream lets the next authenticator try.
    if (username === '') return noCredentials;
    return { kind: 'authenticated', user: { username, groups: subject.organizations } };
  }

  /** An x509 failure message as Go words it, or undefined when the chain is good. */
  private verify(leaf: X509Certificate, intermediates: X509Certificate[]): string | undefined {
    const now = this.clock.now();
    for (const c of [leaf, ...intermediates]) {
      const from = Date.parse(c.validFrom);
      const to = Date.parse(c.validTo);
      if (now < from || now > to) {
        const when = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
        return now > to
          ? `x509: certificate has expired or is not yet valid: current time ${when} is after ${new Date(to).toISOString().replace(/\.\d{3}Z$/, 'Z')}`
          : `x509: certificate has expired or is not yet valid: current time ${when} is before ${new Date(from).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
      }
    }
    const eku = leaf.keyUsage;
    if (eku && eku.length > 0 && !eku.includes(clientAuthOID) && !eku.includes(anyExtendedKeyUsageOID)) {
      return 'x509: certificate specifies an incompatible key usage';
    }
    let current = leaf;
    const pool = [...intermediates];
    for (let depth = 0; depth < maxChainLength; depth++) {
      if (this.roots.some((root) => issuedBy(current, root))) return undefined;
      const next = pool.findIndex((c) => c.ca && issuedBy(current, c));
      if (next < 0) break;
      current = pool[next]!;
      pool.splice(next, 1);
    }
    return 'x509: certificate signed by unknown authority';
  }
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** The leaf first, then whatever chain the client sent. */
function certificatesOf(peer: AuthnRequest['peerCertificate']): X509Certificate[] {
  if (!peer) return [];
  if (peer instanceof X509Certificate) return [peer];
  const out: X509Certificate[] = [];
  const seen = new Set<PeerCertificate>();
  let c: PeerCertificate | undefined = peer;
  // Node reports "no certificate" as an empty object, and ends the chain with a self-reference.
  while (c && c.raw && !seen.has(c) && out.length < maxChainLength) {
    seen.add(c);
    out.push(new X509Certificate(c.raw));
    c = (c as DetailedPeerCertificate).issuerCertificate;
  }
  return out;
}

/** How upstream names a certificate in log and error messages. */
export function certificateIdentifier(cert: X509Certificate): string {
  const parsed = new x509.X509Certificate(cert.raw);
  const ski = parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  const colonHex = (h: string | undefined) => (h ? (h.toUpperCase().match(/../g) ?? []).join(':') : '');
  return `SN=${BigInt('0x' + cert.serialNumber).toString()}, SKID=${colonHex(ski)}, AKID=${colonHex(aki)}`;
}

function splitPEM(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
