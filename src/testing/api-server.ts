/**
 * An in-process API server for integration tests: memory storage, freshly
 * generated PKI in a temporary directory, a free loopback port and the
 * default namespaces. `stop()` ends the server and removes every file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinScheme } from '../api/index.js';
import { authenticatorChain } from '../apiserver/authn/authenticator-chain.js';
import { ServiceAccountTokenIssuer } from '../apiserver/authn/service-account-token.js';
import { AlwaysAllowAuthorizer } from '../apiserver/authz/types.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { specialHandlers } from '../apiserver/endpoints/special.js';
import { APIServer } from '../apiserver/server.js';
import { type Clock, realClock } from '../machinery/clock.js';
import { silentLogger } from '../machinery/log.js';
import { ensureClusterPKI, kubeconfigYAML } from '../machinery/pki/index.js';
import { MemoryBackend } from '../storage/memory/memory-backend.js';

export interface TestAPIServerOptions {
  clock?: Clock;
  /** Watch bookmark interval; short by default so tests see bookmarks. */
  bookmarkIntervalMs?: number;
  /** Deep-freeze the server's cached objects, so handlers that mutate shared state throw (default true). */
  freezeCache?: boolean;
  /**
   * Signs TokenRequest (serviceaccounts/token) answers; by default one over
   * the test PKI's service-account key pair, `null` serves no TokenRequest.
   */
  tokenIssuer?: ServiceAccountTokenIssuer | null;
}

export interface TestCredentials {
  caPEM: string;
  certPEM: string;
  keyPEM: string;
}

export interface TestAPIServer {
  server: APIServer;
  backend: MemoryBackend;
  url: string;
  credentials: TestCredentials;
  /** A kubeconfig document (YAML) with inline admin credentials. */
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startTestAPIServer(opts: TestAPIServerOptions = {}): Promise<TestAPIServer> {
  const clock = opts.clock ?? realClock;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8ts-apiserver-'));
  const backend = new MemoryBackend({ clock });
  try {
    const pki = await ensureClusterPKI(path.join(dir, 'tls'), {
      sans: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
      host: { hostname: 'localhost', addresses: ['127.0.0.1'] },
    });
    const authenticator = authenticatorChain({ clientCAPEM: pki.ca.certPEM, anonymous: false, clock });
    const tokenIssuer = opts.tokenIssuer === null ? undefined : (opts.tokenIssuer ?? new ServiceAccountTokenIssuer(pki.serviceAccount, clock));
    const server = new APIServer({
      scheme: builtinScheme(),
      backend,
      tls: { certPEM: pki.serving.certPEM, keyPEM: pki.serving.keyPEM, clientCAPEM: pki.ca.certPEM },
      authenticator,
      authorizer: new AlwaysAllowAuthorizer(),
      subresourceHandlers: () => specialHandlers({ authenticator, authorizer: new AlwaysAllowAuthorizer(), tokenIssuer }),
      clock,
      logger: silentLogger,
      bindAddress: '127.0.0.1',
      port: 0,
      serviceCIDR: '10.96.0.0/12',
      freezeCache: opts.freezeCache ?? true,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
      version: { major: '1', minor: '35', gitVersion: 'v1.35.0-k8ts', gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'tsc', platform: `${process.platform}/${process.arch}` },
      bootstrap: (s) => bootstrapCluster(s, { serviceCIDR: '10.96.0.0/12', advertiseAddress: '127.0.0.1', port: s.address.port }),
    });
    await server.start();
    const url = `https://127.0.0.1:${server.address.port}`;
    const credentials = { caPEM: pki.ca.certPEM, certPEM: pki.admin.certPEM, keyPEM: pki.admin.keyPEM };
    const kubeconfig = kubeconfigYAML({ server: url, caPEM: pki.ca.certPEM, clientCertPEM: pki.admin.certPEM, clientKeyPEM: pki.admin.keyPEM });
    let stopped = false;
    return {
      server,
      backend,
      url,
      credentials,
      kubeconfig,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop(1000);
        await backend.dispose();
        // The service-account key is written in the background: a quick test must not remove its dir under it.
        await pki.serviceAccount.catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
