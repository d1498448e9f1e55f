/** tcpSocket probes: connecting within the timeout is success. */
import net from 'node:net';
import type { ProbeOutcome } from './types.js';
import { joinHostPort } from './port.js';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const hostPort = joinHostPort(host, port);
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (o: ProbeOutcome) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ result: 'Failure', message: `dial tcp ${hostPort}: i/o timeout` }), timeoutMs);
    sock.once('connect', () => done({ result: 'Success', message: '' }));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'EHOSTUNREACH' ? 'connect: no route to host' : err.message;
      done({ result: 'Failure', message: `dial tcp ${hostPort}: ${why}` });
    });
  });
}
