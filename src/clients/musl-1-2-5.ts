/**
 * musl 1.2.5 (February 2024; Alpine 3.20 and later): as 1.2.4 with a 4800-byte answer buffer,
 * so a TCP answer yields up to MAXADDRS (48) addresses. Sources: lookup_name.c with
 * `#define ABUF_SIZE 4800` and dns_parse.c without the 64-record check, as found in copies of
 * post-1.2.5 musl (ClickHouse/musl, msilva88-dev/musl, KINGFIOX/musl); lookup.h 3c42605a.
 */
import { type MuslRules, muslModel } from './musl-core.ts';
import type { ClientModel } from './types.ts';

/** The rules of musl 1.2.5. */
export const MUSL_1_2_5_RULES: MuslRules = Object.freeze({
  client: 'musl-1.2.5',
  // `#define ABUF_SIZE 4800`, `unsigned char qbuf[2][280], abuf[2][ABUF_SIZE];`
  answerBufferBytes: 4800,
  tcpFallback: true,
  // The 64-record check is gone from post-1.2.5 dns_parse.c; that it was already gone in the
  // 1.2.5 release is an assumption (index.ts lists it as unverified).
  maxRecords: null,
  // dns_parse_callback: `if (ctx->cnt >= MAXADDRS) return 0;`
  maxAddresses: 48,
  noDataError: 'EAI_NODATA',
  unencodableName: 'skip',
});

/** getaddrinfo of musl 1.2.5. */
export const musl125: ClientModel = muslModel(MUSL_1_2_5_RULES);
