/**
 * Decides, reply by reply, whether to trust what came back. Shared by the UDP and TCP
 * transports so both ignore the same things and report the same reasons.
 */
import { decodeReply, type QuerySpec } from './message.ts';
import type { Answer, ExchangeFailureReason, Ignored } from './types.ts';

/** What to do with one reply. */
export type Verdict =
  | { readonly kind: 'accept'; readonly answer: Answer }
  | { readonly kind: 'reject'; readonly reason: 'malformed'; readonly detail: string }
  | { readonly kind: 'ignore' };

/** Tracks ignored replies while an exchange waits for the one it can trust. */
export class ReplyFilter {
  readonly ignored: Ignored = { idMismatch: 0, questionMismatch: 0, sourceMismatch: 0, malformed: 0 };
  #last: ExchangeFailureReason | null = null;
  #lastDetail = '';
  readonly #query: QuerySpec;

  constructor(query: QuerySpec) {
    this.#query = query;
  }

  /** A reply from an address or port we did not send to: musl res_msend.c ignores it. */
  fromWrongSource(address: string, port: number): void {
    this.ignored.sourceMismatch++;
    this.#last = 'source_mismatch';
    this.#lastDetail = `ignored a reply from ${address}:${port}, which we did not ask`;
  }

  /** A reply from the server we asked, carrying an id we are not waiting for (the pool saw it). */
  idMismatch(): void {
    this.ignored.idMismatch++;
    this.#last = 'id_mismatch';
    this.#lastDetail = 'ignored a reply whose id does not match the query';
  }

  /**
   * Classifies a reply from the right peer. Wrong ids and questions are ignored, as musl does
   * (a spoofed or stale reply must not end the wait). A reply with our id that cannot be read
   * is final: the server we asked answered, and what it said is broken.
   */
  check(buf: Uint8Array): Verdict {
    const decoded = decodeReply(buf, this.#query);
    switch (decoded.kind) {
      case 'answer':
        return { kind: 'accept', answer: decoded.answer };
      case 'id_mismatch':
        this.idMismatch();
        return { kind: 'ignore' };
      case 'question_mismatch':
        this.ignored.questionMismatch++;
        this.#last = 'question_mismatch';
        this.#lastDetail = `ignored a reply with the wrong question: ${decoded.detail}`;
        return { kind: 'ignore' };
      case 'malformed':
        this.ignored.malformed++;
        return { kind: 'reject', reason: 'malformed', detail: decoded.detail };
    }
  }

  /**
   * The failure to report when the deadline passes: what we ignored last, if anything, so that a
   * server answering with the wrong id is told apart from a silent one.
   */
  timeoutReason(timeoutMs: number): { reason: ExchangeFailureReason; message: string } {
    if (this.#last !== null) {
      return { reason: this.#last, message: `${this.#lastDetail}; no valid reply within ${timeoutMs} ms` };
    }
    return { reason: 'timeout', message: `no reply within ${timeoutMs} ms` };
  }
}
