/**
 * The daemon's registry: prom-client's, except that the per-target families (target-series.ts)
 * write their own exposition text. prom-client formats every sample's labels anew (an object per
 * sample, escaped and joined); with 10,000 targets that is 260,000 lines and a scrape took 2.3 s of
 * CPU and about 100 MiB of transient memory every time Prometheus asked. The text is the same:
 * a test renders both ways and compares.
 */
import { PiecePool } from './piece-pool.ts';
import { Registry } from './prom-client.ts';
import { isScrapeTimeGauge } from './target-series.ts';

/** A prom-client Registry whose scrape-time families render themselves. */
export class FastRegistry extends Registry {
  #defaults: Readonly<Record<string, string>> = {};
  readonly #pool = new PiecePool();

  override setDefaultLabels(labels: object): void {
    this.#defaults = { ...(labels as Record<string, string>) };
    super.setDefaultLabels(labels);
  }

  /**
   * The text exposition in pieces, as prom-client's `metrics()` would write it whole (families
   * apart by a blank line): the server writes each piece as it comes, so a scrape of 10,000
   * targets (about 30 MB of text) is never held in memory at once. The per-target families come
   * as UTF-8 bytes, the rest as strings. Give each byte piece to `release` once it is written.
   */
  async *chunks(): AsyncGenerator<string | Uint8Array> {
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) {
      yield await super.metrics();
      return;
    }
    let first = true;
    for (const metric of this.getMetricsAsArray() as unknown[]) {
      if (!first) yield '\n\n';
      first = false;
      if (isScrapeTimeGauge(metric)) yield* metric.renderChunks(this.#defaults, this.#pool);
      else yield await this.getSingleMetricAsString((metric as { name: string }).name);
    }
    yield '\n';
  }

  /** The whole exposition as one string (what prom-client's `metrics()` returns). */
  override async metrics(): Promise<string> {
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return super.metrics();
    let text = '';
    for await (const chunk of this.chunks()) {
      if (typeof chunk === 'string') {
        text += chunk;
        continue;
      }
      // A piece ends at a line's end, so no UTF-8 sequence is split between two.
      text += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      this.release(chunk);
    }
    return text;
  }

  /** Takes back a piece from `chunks()` once it is written (its buffer renders a later piece). */
  release(piece: Uint8Array): void {
    this.#pool.release(piece);
  }
}
