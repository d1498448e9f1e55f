/**
 * `k8ts agent --cleanup` for the cri runtime: every sandbox and container an
 * agent created in the runtime (found by its owner label) is stopped and
 * removed through CRI, so the runtime tears down what it set up for them —
 * CNI DEL releases the pod IPs and removes the portmap and masquerade rules,
 * the network namespaces and shims go. Whatever else the runtime holds is
 * left alone.
 */
import { criErrorMessage } from './cri-client.js';
import { CriRuntime } from './cri-runtime.js';

export interface CriCleanupOptions {
  endpoint: string;
  /** The owner label value of the agent being cleaned up after (`criAgentId(rootDir)`). */
  agentId: string;
  /** How long to wait for the runtime's socket (default 10 s). */
  connectTimeoutMs?: number;
}

export type CriCleanupResult =
  | { ok: true; sandboxes: number; containers: number }
  | { ok: false; message: string };

export async function cleanupCriAgent(opts: CriCleanupOptions): Promise<CriCleanupResult> {
  const rt = new CriRuntime({ endpoint: opts.endpoint, agentId: opts.agentId, callTimeoutMs: 60_000 });
  try {
    try {
      await rt.waitForReady(opts.connectTimeoutMs ?? 10_000);
    } catch (err) {
      return { ok: false, message: `the runtime at ${opts.endpoint} does not answer: ${criErrorMessage(err)}` };
    }
    const sandboxes = await rt.runtime.listPodSandbox();
    let containers = 0;
    for (const sb of sandboxes) {
      // RemovePodSandbox removes the sandbox's containers with it; count them for the report.
      containers += (await rt.runtime.listContainers({ podSandboxId: sb.id })).length;
      await rt.runtime.stopPodSandbox(sb.id);
      await rt.runtime.removePodSandbox(sb.id);
    }
    // Containers whose sandbox went first (a crash between the two removals).
    for (const c of await rt.runtime.listContainers()) {
      await rt.runtime.stopContainer(c.id, 0);
      await rt.runtime.removeContainer(c.id);
      containers++;
    }
    return { ok: true, sandboxes: sandboxes.length, containers };
  } catch (err) {
    return { ok: false, message: criErrorMessage(err) };
  } finally {
    await rt.dispose();
  }
}
