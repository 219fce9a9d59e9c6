/*
 * gai: the smallest honest getaddrinfo client, used by the truth tests (test/truth).
 *
 * Usage: gai NAME inet|inet6|unspec
 * Prints exactly one JSON line on stdout:
 *   {"addresses":N,"error":null}              getaddrinfo succeeded with N distinct addresses
 *   {"addresses":0,"error":"EAI_NONAME"}      or EAI_NODATA, EAI_AGAIN, EAI_FAIL, EAI_OTHER:<n>
 * Exit status 0 whenever getaddrinfo returned (success or error), 2 on usage errors.
 *
 * It is compiled twice, with `musl-gcc -static` (Debian's musl 1.2.3) and with `gcc` (glibc),
 * and run under `ip netns exec` so the library reads the namespace's resolv.conf. Nothing
 * here interprets DNS: the point is to record what the real library returns.
 */
#define _GNU_SOURCE /* EAI_NODATA is a GNU/BSD extension in both glibc's and musl's netdb.h */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Large enough for every address a 64 KiB TCP answer can hold (at most ~4000 A records). */
#define MAX_ADDRESSES 8192

struct seen {
  int family;
  unsigned char bytes[16];
};

static struct seen seen[MAX_ADDRESSES];

static const char *error_name(int code, char *buf, size_t len) {
  switch (code) {
  case EAI_NONAME:
    return "EAI_NONAME";
#ifdef EAI_NODATA
  /* musl <= 1.2.3 never returns it (PRODUCT.md section 1); guard in case a libc lacks the macro. */
  case EAI_NODATA:
    return "EAI_NODATA";
#endif
  case EAI_AGAIN:
    return "EAI_AGAIN";
  case EAI_FAIL:
    return "EAI_FAIL";
  default:
    snprintf(buf, len, "EAI_OTHER:%d", code);
    return buf;
  }
}

/* Copies the address bytes of one result; returns their length (4 or 16), or 0 for other families. */
static int address_bytes(const struct addrinfo *ai, unsigned char out[16]) {
  if (ai->ai_family == AF_INET) {
    memcpy(out, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
    return 4;
  }
  if (ai->ai_family == AF_INET6) {
    memcpy(out, &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
    return 16;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: gai NAME inet|inet6|unspec\n");
    return 2;
  }
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  if (strcmp(argv[2], "inet") == 0) {
    hints.ai_family = AF_INET;
  } else if (strcmp(argv[2], "inet6") == 0) {
    hints.ai_family = AF_INET6;
  } else if (strcmp(argv[2], "unspec") == 0) {
    hints.ai_family = AF_UNSPEC;
  } else {
    fprintf(stderr, "gai: family must be inet, inet6 or unspec, not '%s'\n", argv[2]);
    return 2;
  }
  /* One socket type, so each address appears once rather than once per SOCK_STREAM/DGRAM/RAW. */
  hints.ai_socktype = SOCK_STREAM;
  /* No AI_ADDRCONFIG: a namespace with only loopback would otherwise suppress families. */
  hints.ai_flags = 0;

  struct addrinfo *result = NULL;
  int rc = getaddrinfo(argv[1], NULL, &hints, &result);
  if (rc != 0) {
    char buf[32];
    printf("{\"addresses\":0,\"error\":\"%s\"}\n", error_name(rc, buf, sizeof buf));
    return 0;
  }

  /* Count distinct addresses: the contract counts addresses, not addrinfo entries. */
  int count = 0;
  for (const struct addrinfo *ai = result; ai != NULL; ai = ai->ai_next) {
    unsigned char bytes[16] = {0};
    int len = address_bytes(ai, bytes);
    if (len == 0) continue;
    int duplicate = 0;
    for (int i = 0; i < count; i++) {
      if (seen[i].family == ai->ai_family && memcmp(seen[i].bytes, bytes, 16) == 0) {
        duplicate = 1;
        break;
      }
    }
    if (duplicate || count == MAX_ADDRESSES) continue;
    seen[count].family = ai->ai_family;
    memcpy(seen[count].bytes, bytes, 16);
    count++;
  }
  freeaddrinfo(result);
  printf("{\"addresses\":%d,\"error\":null}\n", count);
  return 0;
}
