/**
 * How an agent joins: `POST /v1-k8ts/node-cert`, authenticated by the node
 * token's secret (HTTP basic, user `node`, as k3s agents send it), with a
 * PKCS#10 request whose subject is `CN=system:node:<name>, O=system:nodes`.
 * The server signs it with the cluster CA: a client certificate (the node's
 * identity towards the API) or, with `usage: serving`, the serving
 * certificate of the agent's HTTPS port carrying the SANs the request asks
 * for. The private keys never leave the node. With password records, the
 * request must also carry the agent's node password, which pins the node
 * name to the first agent that joined under it (node-join-password.ts).
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../../machinery/clock.js';
import { StatusError } from '../../machinery/errors/status-error.js';
import type { KeyPairPEM } from '../../machinery/pki/certificate.js';
import { type NodePasswordRecords, type NodePasswordResult, ensureNodePassword } from './node-join-password.js';
import { secretMatches } from './node-token.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const NODE_CERT_PATH = '/v1-k8ts/node-cert';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

export type NodeCertUsage = 'client' | 'serving';

export interface NodeCertRequest {
  usage: NodeCertUsage;
  /** PEM `CERTIFICATE REQUEST`. */
  csr: string;
  /** The agent's node password (required when the service keeps password records). */
  nodePassword?: string;
}

export interface NodeCertResponse {
  certificate: string;
  ca: string;
}

export type NodeCertResult = { ok: true; response: NodeCertResponse } | { ok: false; code: 400 | 401; message: string };

export interface NodeJoinOptions {
  ca: KeyPairPEM;
  secret: string;
  clock: Clock;
  /** Validity of issued certificates; one year unless given. */
  days?: number;
  /** Pins node names to node passwords; without it any token holder may join under any name. */
  passwords?: NodePasswordRecords;
}

const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;
const backdateMs = 5 * 60 * 1000;
const SAN_OID = '2.5.29.17';
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The secret of an `Authorization: Basic` header (any user name), or undefined. */
export function basicSecret(authorization: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export class NodeJoinService {
  constructor(private readonly opts: NodeJoinOptions) {}

  /**
   * Checks the token, the request and the node password, then signs. Refusals
   * are results, except a rejected node password: that one is thrown as the
   * 403 Forbidden the HTTP layer writes as it is.
   */
  async issue(authorization: string | undefined, body: unknown): Promise<NodeCertResult> {
    const presented = basicSecret(authorization);
    if (presented === undefined || !secretMatches(presented, this.opts.secret)) return { ok: false, code: 401, message: 'Unauthorized' };
    const req = body as Partial<NodeCertRequest> | undefined;
    if (!req || typeof req.csr !== 'string') return { ok: false, code: 400, message: 'body must be JSON {"usage": "client"|"serving", "csr": "<PEM>"}' };
    const usage = req.usage ?? 'client';
    if (usage !== 'client' && usage !== 'serving') return { ok: false, code: 400, message: `unknown usage "${String(usage)}": must be client or serving` };
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(req.csr);
    } catch (err) {
      return { ok: false, code: 400, message: `cannot parse certificate request: ${(err as Error).message}` };
    }
    if (!(await csr.verify())) return { ok: false, code: 400, message: 'certificate request signature does not verify' };
    const cn = csr.subjectName.getField('CN');
    const orgs = csr.subjectName.getField('O');
    const name = cn.length === 1 && cn[0]!.startsWith(NODE_USER_PREFIX) ? cn[0]!.slice(NODE_USER_PREFIX.length) : '';
    if (!NODE_NAME.test(name) || name.length > 253) return { ok: false, code: 400, message: `subject common name must be "${NODE_USER_PREFIX}<node name>" with a valid node name` };
    if (orgs.length !== 1 || orgs[0] !== NODES_GROUP) return { ok: false, code: 400, message: `subject organization must be exactly "${NODES_GROUP}"` };
    if (this.opts.passwords) {
      if (typeof req.nodePassword !== 'string' || !req.nodePassword) return { ok: false, code: 400, message: 'body must carry the agent\'s "nodePassword"' };
      const pinned = await this.verifyNodePassword(name, req.nodePassword);
      if (!pinned.ok) throw new StatusError(403, 'Forbidden', pinned.message);
    }
    const sanExt = usage === 'serving' ? csr.getExtension(SAN_OID) : null;
    const sans = sanExt ? new x509.SubjectAlternativeNameExtension(sanExt.rawData).names.toJSON() : [];
    for (const san of sans) {
      if (san.type !== 'dns' && san.type !== 'ip') return { ok: false, code: 400, message: `only DNS and IP subject alternative names are allowed, not ${san.type}` };
    }
    const certificate = await this.sign(csr, name, usage, sans);
    return { ok: true, response: { certificate, ca: this.opts.ca.certPEM } };
  }

  /** Accepts (recording it the first time) or rejects `password` for `nodeName`; always accepts without records. */
  async verifyNodePassword(nodeName: string, password: string): Promise<NodePasswordResult> {
    if (!this.opts.passwords) return { ok: true, recorded: false };
    return ensureNodePassword(this.opts.passwords, nodeName, password);
  }

  private async sign(csr: x509.Pkcs10CertificateRequest, name: string, usage: NodeCertUsage, sans: x509.JsonGeneralNames): Promise<string> {
    const now = this.opts.clock.now();
    const caCert = new x509.X509Certificate(this.opts.ca.certPEM);
    const der = x509.PemConverter.decode(this.opts.ca.keyPEM)[0];
    if (!der) throw new Error('no PEM block in the CA private key');
    const caKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const publicKey = await csr.publicKey.export();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([usage === 'serving' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ];
    if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
    const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject: [{ O: [NODES_GROUP] }, { CN: [`${NODE_USER_PREFIX}${name}`] }],
      issuer: caCert.subject,
      notBefore: new Date(now - backdateMs),
      notAfter: new Date(now + (this.opts.days ?? 365) * dayMs),
      publicKey,
      signingKey: caKey,
      signingAlgorithm: signing,
      extensions,
    });
    return cert.toString('pem') + '\n';
  }
}
