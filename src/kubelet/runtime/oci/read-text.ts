import { readFileSync } from 'node:fs';

/** A file's text, or '' when it cannot be read (a process that exited, a file not written yet). */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
