/**
 * What every benchmark entry point does the same way: refuse bad flags with
 * exit code 2, describe the machine it ran on, and run `main` only when the
 * file is the script node was started with; and profile the measured server
 * when asked.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../cmd/flags.js';
import { round } from './stats.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memGB: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memGB: round(os.totalmem() / 2 ** 30, 1), node: process.version };
}

/** `parse(argv)`, or undefined after printing a usage error (any other error propagates). */
export function parseOrReportUsage<T>(parse: (argv: string[]) => T, argv: string[]): T | undefined {
  try {
    return parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return undefined;
  }
}

/**
 * Runs `main` with the command line when `moduleURL` is the started script.
 * A numeric result is the exit code; otherwise the process ends on its own,
 * so buffered output is not cut short.
 */
export function runIfMain(moduleURL: string, main: (argv: string[]) => Promise<unknown>): void {
  if (!process.argv[1] || moduleURL !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).then(
    (result) => {
      if (typeof result === 'number') process.exit(result);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof UsageError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}

/** Node options that write a CPU profile of the server into `dir` (none without a dir); `name` names the file. */
export function cpuProfileArgs(dir: string | undefined, name?: string): string[] {
  if (!dir) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`, ...(name ? [`--cpu-prof-name=${name}.cpuprofile`] : [])];
}
