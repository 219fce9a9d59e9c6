/**
 * musl 1.2.3 (April 2022; Alpine 3.16 and 3.17): no TCP fallback, no EAI_NODATA.
 * Sources (bminor/musl): lookup_name.c as it stood before 85050ac5 (the EAI_NODATA commit,
 * September 2022, after 1.2.3), res_msend.c before 51d4669f (TCP fallback), dns_parse.c
 * 09f6d212, lookup.h 3c42605a.
 */
import { type MuslRules, muslModel } from './musl-core.ts';
import type { ClientModel } from './types.ts';

/** The rules of musl 1.2.3. */
export const MUSL_1_2_3_RULES: MuslRules = Object.freeze({
  client: 'musl-1.2.3',
  // name_from_dns: `unsigned char qbuf[2][280], abuf[2][512];`, passed to __res_msend_rc as
  // asize, so a UDP reply is read into (and parsed from) 512 bytes at most.
  answerBufferBytes: 512,
  // __res_msend_rc has no TC check before 51d4669f: a truncated reply is the final answer.
  tcpFallback: false,
  // __dns_parse: `if (qdcount+ancount > 64) return -1;`
  maxRecords: 64,
  // lookup.h `#define MAXADDRS 48`; dns_parse_callback: `if (ctx->cnt >= MAXADDRS) return -1;`
  maxAddresses: 48,
  // name_from_dns: `if (ctx.cnt) return ctx.cnt; return EAI_NONAME;` (85050ac5 made it EAI_NODATA)
  noDataError: 'EAI_NONAME',
  // name_from_dns: `if (qlens[nq] == -1) return EAI_NONAME;` ends the walk
  unencodableName: 'fail',
});

/** getaddrinfo of musl 1.2.3. */
export const musl123: ClientModel = muslModel(MUSL_1_2_3_RULES);
