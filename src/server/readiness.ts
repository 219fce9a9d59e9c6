/** The /readyz rule (STYLE.md section 9), shared by the endpoint and the status page. */
import type { StatusSnapshot } from '../daemon/status.ts';

/** Why the daemon is not ready, as one line, or null when it is ready. */
export function notReadyReason(snapshot: StatusSnapshot): string | null {
  if (snapshot.ready) return null;
  if (!snapshot.config.loaded) return 'config not loaded';
  return 'first probe round not finished';
}
