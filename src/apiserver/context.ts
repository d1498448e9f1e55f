/**
 * What a request carries through the chain after authentication: who is
 * asking, where, and the request-scoped options that change how the registry
 * behaves (dry run, field manager). Warnings collect for the Warning header.
 */
import type { Clock } from '../machinery/clock.js';
import type { UserInfo } from './authn/types.js';

export type { UserInfo };

export interface RequestContext {
  user: UserInfo;
  namespace: string;
  clock: Clock;
  dryRun: boolean;
  /** Manager name recorded in managedFields. */
  fieldManager: string;
  userAgent: string;
  /** Texts sent back as `Warning: 299 - "..."` headers. */
  warnings: string[];
  signal: AbortSignal;
}

/** The manager name upstream derives when a client does not pass one: the User-Agent's program name. */
export function defaultFieldManager(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (!ua) return 'unknown';
  const first = ua.split('/')[0]!.trim();
  return first.slice(0, 128) || 'unknown';
}

export function systemContext(clock: Clock, opts: { namespace?: string; fieldManager?: string } = {}): RequestContext {
  return {
    user: { username: 'system:apiserver', groups: ['system:masters'] },
    namespace: opts.namespace ?? '',
    clock,
    dryRun: false,
    fieldManager: opts.fieldManager ?? 'k8ts-apiserver',
    userAgent: 'k8ts-apiserver',
    warnings: [],
    signal: new AbortController().signal,
  };
}
