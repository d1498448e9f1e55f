/** `$(VAR)` in command and args expands against the container's final environment. */
import type { ContainerT } from '../../api/core/v1/types.js';
import type { KeyValue } from '../runtime/interface.js';
import { expand, mappingFor } from './expansion.js';

export function expandCommandAndArgs(container: Pick<ContainerT, 'command' | 'args'>, envs: readonly KeyValue[]): { command?: string[]; args?: string[] } {
  const mapping = mappingFor(new Map(envs.map((e) => [e.key, e.value])));
  return {
    command: container.command?.map((c) => expand(c, mapping)),
    args: container.args?.map((a) => expand(a, mapping)),
  };
}
