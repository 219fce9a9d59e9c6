/**
 * DNS query ids from the kernel's random source, without node:crypto.
 *
 * Ids must be unpredictable to an off-path sender (RFC 5452 section 9.2), which the kernel's
 * generator gives; they need nothing else. `crypto.randomInt` reads the same generator, but loading
 * node:crypto initialises OpenSSL, a cost on every node of the DaemonSet for a module the daemon
 * would use for nothing else. Node 24.21: `require('node:crypto')` on top of the daemon's other
 * built-ins adds 2.7 MiB of the node binary's pages and 0.8 MiB of heap in a bare process; in the
 * daemon at 1,000 targets, dropping it and node:fs/promises took RSS from 87.4 to 85.8 MiB (side by
 * side), since the daemon touches some of those pages anyway.
 *
 * So this reads /dev/urandom a block at a time (4 KiB is 2,048 ids: at 10,000 targets, one read
 * every few seconds) and hands the ids out in order. Each refill opens, reads and closes the device,
 * so no descriptor stays open between refills.
 */
import { closeSync, openSync, readSync } from '../builtins.ts';
import { DnsHeadroomError, ERROR_CODES } from '../errors.ts';

/** Bytes read per refill; two per id. */
const BLOCK_BYTES = 4096;

/** A source of 16-bit query ids, read from `path` (default /dev/urandom) `blockBytes` at a time. */
export function randomQueryIds(path = '/dev/urandom', blockBytes = BLOCK_BYTES): () => number {
  if (blockBytes < 2 || blockBytes % 2 !== 0) {
    throw new RangeError(`blockBytes must be even and >= 2, got ${blockBytes}`);
  }
  const block = Buffer.alloc(blockBytes);
  let next = blockBytes;
  return () => {
    if (next === blockBytes) {
      fill(path, block);
      next = 0;
    }
    const id = block.readUInt16BE(next);
    next += 2;
    return id;
  };
}

/** Fills `block` from `path`; a character device may return fewer bytes than asked for. */
function fill(path: string, block: Buffer): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new DnsHeadroomError(
      ERROR_CODES.INTERNAL,
      `cannot read random query ids from ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    for (let filled = 0; filled < block.length; ) {
      const n = readSync(fd, block, filled, block.length - filled, null);
      if (n === 0) throw new DnsHeadroomError(ERROR_CODES.INTERNAL, `${path} ended after ${filled} bytes`);
      filled += n;
    }
  } finally {
    closeSync(fd);
  }
}
