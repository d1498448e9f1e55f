/** Small reads of files and /proc, and signals to processes that may be gone already. */
import { readFileSync } from 'node:fs';

/** A file's text, or '' when it cannot be read (a process that exited, a file not written yet). */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Sends a signal, ignoring a process that is gone. */
export function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {}
}

/** The children of a process (its main thread's), as the kernel lists them. */
export function childPids(pid: number): number[] {
  return readText(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean).map(Number);
}
