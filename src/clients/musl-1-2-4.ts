/**
 * musl 1.2.4 (May 2023; first in Alpine 3.18): TCP fallback on TC, EAI_NODATA, a 768-byte
 * answer buffer. Sources (bminor/musl): res_msend.c 51d4669f ("dns: implement tcp fallback in
 * __res_msend query core"), lookup_name.c 85050ac5 ("getaddrinfo: add EAI_NODATA error code to
 * distinguish NODATA vs NxDomain") and its successors, dns_parse.c 83b858f8, lookup.h 3c42605a.
 */
import { type MuslRules, muslModel } from './musl-core.ts';
import type { ClientModel } from './types.ts';

/** The rules of musl 1.2.4. */
export const MUSL_1_2_4_RULES: MuslRules = Object.freeze({
  client: 'musl-1.2.4',
  // name_from_dns answer buffers of 768 bytes, used for UDP and TCP alike (asize), and
  // `if (alens[i] > sizeof(abuf[i])) alens[i] = sizeof abuf[i];` before parsing: a 986-byte TCP
  // answer with 60 A records yields 46. The 768 is PRODUCT.md's measurement; the 1.2.4 tag
  // itself could not be read (see index.ts).
  answerBufferBytes: 768,
  // __res_msend_rc: `if (answers[i][2] & 2)` starts TCP to the same server (start_tcp); a failed
  // connect, read or non-0/3 rcode leaves alens 0, which name_from_dns reports as EAI_AGAIN.
  tcpFallback: true,
  // dns_parse.c 83b858f8 (the version with the packet-length callback) still refuses
  // qdcount+ancount > 64: a TCP answer with 64 or more records parses to nothing.
  maxRecords: 64,
  maxAddresses: 48,
  // 85050ac5: `if (ctx.cnt) return ctx.cnt; return EAI_NODATA;`
  noDataError: 'EAI_NODATA',
  // 85050ac5: `if (qlens[nq] == -1) return 0;` moves on to the next candidate
  unencodableName: 'skip',
});

/** getaddrinfo of musl 1.2.4. */
export const musl124: ClientModel = muslModel(MUSL_1_2_4_RULES);
