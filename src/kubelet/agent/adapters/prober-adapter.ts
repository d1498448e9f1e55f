/**
 * The pod agent's ProberFactory over ProbeWorkers and the Prober: one set of
 * probe workers per run of a container, exec probes through the runtime's
 * execSync, network probes against the pod IP the sandbox got.
 */
import type { Clock } from '../../../machinery/clock.js';
import type { Disposable } from '../../../machinery/lifecycle.js';
import { type ExecOutput, Prober, ProbeWorkers } from '../../probes/index.js';
import type { RuntimeService } from '../../runtime/interface.js';
import type { ProberFactory, ProbeSink, ProbeTarget } from '../interfaces.js';

export interface ProbeWorkersFactoryOptions {
  runtime: Pick<RuntimeService, 'execSync'>;
  clock: Clock;
  prober?: Pick<Prober, 'probe'>;
}

export class ProbeWorkersFactory implements ProberFactory {
  private readonly prober: Pick<Prober, 'probe'>;

  constructor(private readonly opts: ProbeWorkersFactoryOptions) {
    this.prober = opts.prober ?? new Prober();
  }

  start(target: ProbeTarget, sink: ProbeSink): Disposable {
    const { clock, runtime } = this.opts;
    const c = target.container;
    const uid = target.pod.metadata?.uid ?? '';
    const startedAt = target.startedAt ?? clock.now();
    // Without a startup probe the container counts as started as soon as it runs.
    let started = !c.startupProbe;
    const workers: ProbeWorkers = new ProbeWorkers({
      prober: this.prober,
      clock,
      status: () => ({
        podIP: target.podIP ?? '',
        phase: target.pod.status?.phase,
        containers: { [c.name]: { containerID: target.containerId, running: true, startedAt, started, terminated: false } },
      }),
      exec: async (id, cmd, timeoutMs): Promise<ExecOutput> => {
        const r = await runtime.execSync(id, cmd, timeoutMs);
        return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
      },
      onResult: (_uid, _name, kind, result) => {
        if (kind === 'startup' && result === 'Success' && !started) {
          started = true;
          workers.trigger(uid, c.name, 'liveness');
          workers.trigger(uid, c.name, 'readiness');
        }
        sink.result(kind, result);
      },
      onEvent: (_pod, _name, ev) => (ev.reason === 'Unhealthy' ? sink.unhealthy(ev.message) : sink.warning?.(ev.message)),
    });
    // Only this container: its siblings have runs (and probe workers) of their own.
    workers.addPod({ ...target.pod, spec: { ...target.pod.spec, initContainers: [], containers: [c] } });
    return { dispose: () => workers.dispose() };
  }
}
