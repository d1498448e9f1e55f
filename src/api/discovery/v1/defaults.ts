/** Upstream SetDefaults_EndpointPort: unnamed TCP unless stated. */
import type { EndpointSliceT } from './types.js';

export function defaultEndpointSlice(slice: EndpointSliceT): void {
  for (const p of slice.ports ?? []) {
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}
