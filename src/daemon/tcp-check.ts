/**
 * When a probe of a name that fits in UDP also asks TCP (ADR 3, cadence from ADR 8). The first probe
 * of a target asks it for every qtype of the family, then one round in every `tcpCheckEveryRounds`
 * asks it for one qtype, taking the family's qtypes in turn. Which round depends on the target's
 * key, so the checks of 10,000 targets added together spread over the rounds: if every target
 * checked in the same round, that round would cost several times the others and a 30 s measurement
 * would see either all of the TCP cost or none of it. Names that truncate ask TCP every round for
 * each qtype that needs it regardless (the probe does that itself, `tcp: 'when-needed'`).
 */
import { FAMILY_QTYPES, type Family, type Qtype } from '../probe/types.ts';

/**
 * How often a target's probe also asks TCP when UDP was complete, to keep
 * `dnsheadroom_tcp_fallback_success` true to life: a NetworkPolicy that starts blocking TCP 53
 * shows on each fitting name within ten minutes and, with a few dozen targets or more, on some name
 * within about one interval, since the checks of all targets are spread over the rounds. TCP set-up
 * is the largest single cost of a probe, so asking it every round for names that fit would multiply
 * the daemon's CPU. A time rather than a number of rounds (ADR 8): the number of checks a node pays
 * for per minute no longer doubles when the interval halves.
 */
export const TCP_CHECK_EVERY_MS = 10 * 60_000;

/** The rounds between two periodic TCP checks of one target: 20 at a 30 s interval, 10 at 60 s. */
export function tcpCheckEveryRounds(intervalMs: number): number {
  return Math.max(1, Math.round(TCP_CHECK_EVERY_MS / intervalMs));
}

/**
 * What the target's probe number `round` (0 for its first) asks over TCP beyond what its answers
 * need: `always` (every qtype), one qtype, or nothing more (`when-needed`). `everyRounds` comes from
 * `tcpCheckEveryRounds`.
 *
 * One qtype per periodic check, not all: whether TCP 53 is reachable is a property of the server and
 * the network path, which one query shows, and a connection per qtype doubled the cost of the checks
 * for dual-stack targets (TCP connect, write and close were the largest share of the daemon's CPU
 * after garbage collection). Each qtype's gauge is refreshed every `everyRounds` times the number of
 * qtypes rounds; the target's TCP verdict every `everyRounds`.
 */
export function tcpCheck(
  round: number,
  key: string,
  family: Family,
  everyRounds: number,
): 'always' | 'when-needed' | Qtype {
  if (round === 0) return 'always';
  const shifted = round + phaseOf(key, everyRounds);
  if (shifted % everyRounds !== 0) return 'when-needed';
  const qtypes = FAMILY_QTYPES[family];
  return qtypes[(shifted / everyRounds) % qtypes.length] as Qtype;
}

/** A stable spread of keys over the rounds: the string hash Java uses, which needs no allocation. */
function phaseOf(key: string, everyRounds: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
  return (hash >>> 0) % everyRounds;
}
