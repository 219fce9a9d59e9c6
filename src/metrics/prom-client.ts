/**
 * prom-client, loaded piece by piece. Its index also loads the Pushgateway client (node:https,
 * node:zlib) and the cluster aggregator (node:cluster, node:child_process), which the daemon never
 * uses and which cost about 3.5 MiB of RSS on every node of the DaemonSet (measured on Node 24.21:
 * the daemon's own imports plus `prom-client` 66.3 MiB, plus these five files 62.7 MiB). The
 * classes are the same objects the index exports, so `import { Registry } from 'prom-client'`
 * elsewhere (tests) interoperates.
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);

/** prom-client's Registry. */
export const Registry: typeof PromClient.Registry = require('prom-client/lib/registry');
/** A registry instance. */
export type Registry = PromClient.Registry;
/** prom-client's Counter. */
export const Counter: typeof PromClient.Counter = require('prom-client/lib/counter');
/** A counter instance. */
export type Counter<T extends string = string> = PromClient.Counter<T>;
/** prom-client's Gauge. */
export const Gauge: typeof PromClient.Gauge = require('prom-client/lib/gauge');
/** A gauge instance. */
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
/** prom-client's Histogram. */
export const Histogram: typeof PromClient.Histogram = require('prom-client/lib/histogram');
/** A histogram instance. */
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
/** prom-client's default process and Node.js metrics. */
export const collectDefaultMetrics: typeof PromClient.collectDefaultMetrics = require('prom-client/lib/defaultMetrics');
/** prom-client's exponential bucket generator. */
export const exponentialBuckets: typeof PromClient.exponentialBuckets =
  require('prom-client/lib/bucketGenerators').exponentialBuckets;
