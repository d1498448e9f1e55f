import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { describe, test } from 'node:test';
import { startTestAPIServer } from '../testing/api-server.js';

describe('APIServer HTTP/2 settings', () => {
  test('receive windows let many request bodies flow at once, as kube-apiserver sets them', async () => {
    const srv = await startTestAPIServer();
    const session = http2.connect(srv.url, { ca: srv.credentials.caPEM, cert: srv.credentials.certPEM, key: srv.credentials.keyPEM });
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      assert.equal(session.remoteSettings.initialWindowSize, 256 * 1024);
      // The connection window is raised by a WINDOW_UPDATE right after the handshake: a ping round trip sees it.
      await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())));
      assert.equal(session.state.remoteWindowSize, 256 * 1024 * 250);
    } finally {
      session.close();
      await srv.stop();
    }
  });
});
