/**
 * The buffers a /metrics scrape is rendered into, used again scrape after scrape. A scrape of 10,000
 * targets is about 30 MB written in pieces of CHUNK_BYTES; each piece freshly allocated is a new
 * mmap (the image has glibc mmap allocations of 96 KiB and more, MALLOC_MMAP_THRESHOLD_ in the
 * Dockerfile), and the kernel zero-fills every page of it on first write. In a microbenchmark of
 * 10,000 targets with that variable, a render took 310 ms with fresh buffers and 67-72 ms with
 * these. A piece goes back to the pool once the socket has taken it, so a scrape needs a few
 * buffers however large it is.
 */

/** Size of the buffers a family is rendered into (bytes); a longer line gets a buffer of its own. */
export const CHUNK_BYTES = 128 * 1024;

/** Free buffers kept for the next scrape; more only come from concurrent scrapes. */
const KEEP = 4;

/** Hands out CHUNK_BYTES buffers and takes them back once written. */
export class PiecePool {
  readonly #free: Buffer[] = [];
  /** Memory of the buffers handed out and not yet back: only those may come back, and only once. */
  readonly #out = new WeakSet<ArrayBufferLike>();

  /** A buffer of at least `bytes` (CHUNK_BYTES unless a longer one is needed). */
  take(bytes = CHUNK_BYTES): Buffer {
    if (bytes > CHUNK_BYTES) return Buffer.allocUnsafe(bytes);
    // allocUnsafe above half of Buffer.poolSize gives a buffer its own memory, at offset 0.
    const buf = this.#free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.#out.add(buf.buffer);
    return buf;
  }

  /**
   * Takes back the buffer under `piece` (a view of a buffer from `take`) once nothing reads it any
   * more: the socket has written it. Anything else (a piece of another buffer, one returned twice) is
   * left to the garbage collector.
   */
  release(piece: Uint8Array): void {
    const memory = piece.buffer;
    if (!this.#out.has(memory)) return;
    this.#out.delete(memory);
    if (this.#free.length < KEEP) this.#free.push(Buffer.from(memory, 0, CHUNK_BYTES));
  }

  /** Free buffers held (for tests). */
  get free(): number {
    return this.#free.length;
  }
}
