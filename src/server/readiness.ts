/** The /readyz rule (STYLE.md section 9), shared by the endpoint and the status page. */
import type { StatusSnapshot } from '../daemon/status.ts';

/** What readiness depends on: a few fields, so /readyz need not build the whole status snapshot. */
export type Readiness = Pick<StatusSnapshot, 'ready'> & {
  readonly config: Pick<StatusSnapshot['config'], 'loaded'>;
};

/** Why the daemon is not ready, as one line, or null when it is ready. */
export function notReadyReason(snapshot: Readiness): string | null {
  if (snapshot.ready) return null;
  if (!snapshot.config.loaded) return 'config not loaded';
  return 'first probe round not finished';
}
