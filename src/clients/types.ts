/**
 * The vocabulary of the C-library models: what a model is asked, what it may look up, and
 * what it answers. Models are pure: they never do I/O. A model that needs an exchange it has not
 * been given says so (`need`), the probe performs it and runs the model again.
 */
import type { Exchange, Family, Qtype, Rcode } from '../probe/types.ts';

/** The modelled C libraries, keyed as in the JSON and metrics contract (PRODUCT.md section 2). */
export type ClientName = 'musl-1.2.3' | 'musl-1.2.4' | 'musl-1.2.5' | 'glibc';

/** Every modelled client, in report order. */
export const CLIENT_NAMES: readonly ClientName[] = Object.freeze([
  'musl-1.2.3',
  'musl-1.2.4',
  'musl-1.2.5',
  'glibc',
] as const);

/** getaddrinfo error classes the models can predict. */
export type GaiError = 'EAI_NONAME' | 'EAI_NODATA' | 'EAI_AGAIN' | 'EAI_FAIL';

/** Predicted getaddrinfo result: how many addresses, or which error. */
export interface ClientOutcome {
  readonly addresses: number;
  readonly error: GaiError | null;
  /**
   * Present and true when getaddrinfo does not return in bounded time before reaching `error`:
   * glibc's TCP fallback has no read timeout, so a server that accepts TCP and never answers
   * blocks the caller until the connection is closed.
   */
  readonly blocks?: true;
}

/** The lookup a pod performs: the name as written, the family hint, and its resolv.conf search rules. */
export interface LookupQuestion {
  readonly name: string;
  readonly family: Family;
  readonly search: readonly string[];
  readonly ndots: number;
}

/** The exchanges a model may consult: one per (absolute name, qtype, transport). */
export interface ExchangeKey {
  /** Absolute name without the trailing dot, lower-case. */
  readonly fqdn: string;
  readonly qtype: Qtype;
  readonly transport: 'udp' | 'tcp';
}

/**
 * Looks an exchange up; `undefined` when it has not been performed yet. Takes the key's parts
 * rather than an ExchangeKey: the models look up several exchanges on every replay, and a key
 * object per lookup was garbage on every probe.
 */
export type ExchangeTable = (
  fqdn: string,
  qtype: Qtype,
  transport: ExchangeKey['transport'],
) => Exchange | undefined;

/** One step of a search walk: which name was asked, what came back per qtype, and what the library did next. */
export interface WalkStep {
  readonly fqdn: string;
  /** Per qtype: the rcode, or the failure reason when the exchange failed. */
  readonly results: Partial<Record<Qtype, Rcode | `failed:${string}`>>;
  /** Whether this library moved on to the next candidate after this step. */
  readonly next: boolean;
}

/** A model's answer: finished with an outcome and its walk, or blocked on exchanges it needs. */
export type ModelRun =
  | {
      readonly done: true;
      readonly outcome: ClientOutcome;
      readonly walk: readonly WalkStep[];
      /** The name whose answer the library used, or null when the walk ended without one. */
      readonly answeringName: string | null;
    }
  | { readonly done: false; readonly need: readonly ExchangeKey[] };

/** A C-library model: a pure function of the question and the exchanges seen so far. */
export type ClientModel = (question: LookupQuestion, table: ExchangeTable) => ModelRun;
