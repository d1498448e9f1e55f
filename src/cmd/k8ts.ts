/**
 * The multi-call entry point: `k8ts <command> [flags]`.
 */
import { UsageError } from './flags.js';
import { packageVersion } from './version.js';

interface Command {
  description: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  server: {
    description: 'Run the API server (with controllers, scheduler and, unless disabled, a node agent)',
    // The command line is checked before the server's code loads: a mistake is answered at once.
    run: async (argv) => {
      const options = await (await import('./server-options.js')).serverOptions(argv);
      return typeof options === 'number' ? options : (await import('./server.js')).runServer(options);
    },
  },
  agent: {
    description: 'Run node agent',
    run: async (argv) => (await import('./agent.js')).runAgent(argv),
  },
  'explain-schedule': {
    description: 'Explain node by node where the scheduler can place a pod (-n NS POD)',
    run: async (argv) => (await import('./explain-schedule.js')).runExplainSchedule(argv),
  },
  sim: {
    description: 'Run simulated nodes that join a cluster (needs a kubeconfig)',
    run: async (argv) => (await import('./sim.js')).runSim(argv),
  },
  image: {
    description: 'Manage the node\'s images: import FILE, ls, rm IMAGE',
    run: async (argv) => (await import('./image.js')).runImage(argv),
  },
};

function usage(): string {
  const lines = ['NAME:', '   k8ts - a Kubernetes-compatible cluster in TypeScript', '', 'USAGE:', '   k8ts [global options] command [command options]', '', 'COMMANDS:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`   ${name.padEnd(12)} ${c.description}`);
  lines.push('', 'GLOBAL OPTIONS:', '   --help, -h     show help', '   --version, -v  print the version');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(usage());
    return;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`k8ts version v${packageVersion()}\n`);
    return;
  }
  const c = commands[cmd];
  if (!c && cmd.startsWith('-')) {
    // As urfave/cli (k3s): an unknown global flag is a usage error, not an unknown command.
    process.stderr.write(`Incorrect Usage: flag provided but not defined: -${cmd.replace(/^--?/, '').split('=')[0]}\n\n`);
    process.exitCode = 1;
    return;
  }
  if (!c) {
    process.stderr.write(`No help topic for '${cmd}'\n`);
    process.exitCode = 3;
    return;
  }
  try {
    const code = await c.run(rest);
    if (code) process.exitCode = code;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`Incorrect Usage: ${err.message}\n\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
