/**
 * When a probe of a name that fits in UDP also asks TCP (ADR 3). The first probe of a target does,
 * then one round in every `TCP_CHECK_EVERY_ROUNDS`. Which round depends on the target's key, so the
 * checks of 10,000 targets added together spread over ten rounds: if every target checked in the same
 * round, that round would cost several times the others and a 30 s measurement would see either all
 * of the TCP cost or none of it. Names that truncate ask TCP every round regardless (the probe does
 * that itself, `tcp: 'when-needed'`).
 */

/**
 * Every this many rounds a target's probe also asks TCP when UDP was complete, to keep
 * `dnsheadroom_tcp_fallback_success` true to life (a NetworkPolicy that blocks TCP 53 shows within
 * 10 intervals). TCP set-up is the largest single cost of a probe, so asking it every round for names
 * that fit would multiply the daemon's CPU.
 */
export const TCP_CHECK_EVERY_ROUNDS = 10;

/** Whether the target's probe number `round` (0 for its first) should check TCP. */
export function tcpCheckDue(round: number, key: string): boolean {
  return round === 0 || (round + phaseOf(key)) % TCP_CHECK_EVERY_ROUNDS === 0;
}

/** A stable spread of keys over the rounds: the string hash Java uses, which needs no allocation. */
function phaseOf(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return (hash >>> 0) % TCP_CHECK_EVERY_ROUNDS;
}
