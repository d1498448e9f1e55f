/** Upstream SetDefaults_TokenRequestSpec. */
import type { TokenRequestT } from './types.js';

export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

export function defaultTokenRequest(tr: TokenRequestT): void {
  const spec = (tr.spec ??= { audiences: [] });
  spec.expirationSeconds ??= DEFAULT_TOKEN_EXPIRATION_SECONDS;
}
