/**
 * Splits a watch response body into events. The server writes one JSON
 * object per line; a chunk may hold several lines or part of one.
 */
import type { Status } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** ERROR events carry a Status (410 Expired means: re-list). */
export type WatchEvent<T extends KubeObject = KubeObject> = { type: WatchEventType; object: T } | { type: 'ERROR'; object: Status };

export async function* decodeWatch<T extends KubeObject>(body: AsyncIterable<Uint8Array>): AsyncGenerator<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as WatchEvent<T>;
    }
  }
  const rest = buf.trim();
  if (rest) yield JSON.parse(rest) as WatchEvent<T>;
}
