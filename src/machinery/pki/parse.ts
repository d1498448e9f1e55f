import * as x509 from '@peculiar/x509';
import { ipEqual } from './ip.js';

export interface ParsedCertificate {
  subject: { commonName: string; organizations: string[] };
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
}

/** Reads the fields the cluster cares about from a PEM (or DER) certificate. */
export function parseCertificate(pem: string | Uint8Array): ParsedCertificate {
  const cert = new x509.X509Certificate(typeof pem === 'string' ? pem : new Uint8Array(pem));
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    subject: {
      commonName: cert.subjectName.getField('CN')[0] ?? '',
      organizations: cert.subjectName.getField('O'),
    },
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: items.filter((n) => n.type === 'ip').map((n) => n.value),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCA: bc?.ca ?? false,
  };
}

/** The names and addresses of `wanted` that `cert` does not carry. */
export function missingSANs(
  cert: Pick<ParsedCertificate, 'dnsNames' | 'ipAddresses'>,
  wanted: { dnsNames: string[]; ipAddresses: string[] },
): { dnsNames: string[]; ipAddresses: string[] } {
  const have = new Set(cert.dnsNames.map((d) => d.toLowerCase()));
  return {
    dnsNames: wanted.dnsNames.filter((d) => !have.has(d.toLowerCase())),
    ipAddresses: wanted.ipAddresses.filter((ip) => !cert.ipAddresses.some((h) => ipEqual(h, ip))),
  };
}
