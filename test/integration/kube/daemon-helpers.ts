/**
 * The daemon in-process against the test Kubernetes API server: a kubeconfig file, short restart
 * pauses, a scrape helper. Shared by the ConfigMap and discovery tests.
 */

import { systemClock } from '../../../src/clock.ts';
import { Daemon, type DaemonDeps } from '../../../src/daemon/index.ts';
import { realDelay } from '../../../src/kube/index.ts';
import type { DnsTransport, ExchangeRequest, ServerAddress } from '../../../src/probe/index.ts';
import { captureLog } from '../../helpers/log-capture.ts';
import { parseSamples, type Sample } from '../../helpers/prom-text.ts';

/** Restart pauses asked by the watches (ms, before shortening). */
export interface PauseLog {
  readonly asked: number[];
}

/** Starts a daemon; throws when it does not start. */
export async function startDaemon(
  deps: Pick<DaemonDeps, 'configPath' | 'configMap' | 'transport'> & { kubeconfigPath: string },
) {
  const { log, lines } = captureLog();
  const pauses: PauseLog = { asked: [] };
  const daemon = new Daemon({
    ...(deps.configPath ? { configPath: deps.configPath } : {}),
    ...(deps.configMap ? { configMap: deps.configMap } : {}),
    ...(deps.transport ? { transport: deps.transport } : {}),
    kube: {
      kubeconfigPath: deps.kubeconfigPath,
      env: {},
      // Backoff as configured, but each pause shortened to a few ms so tests run fast.
      delay: (ms, signal) => {
        pauses.asked.push(ms);
        return realDelay(10, signal);
      },
      startTimeoutMs: 10_000,
    },
    version: '0.0.0-test',
    node: 'node-k',
    log,
    clock: systemClock,
    listen: { host: '127.0.0.1', port: 0 },
  });
  const started = await daemon.start();
  if (!started.ok) throw new Error(started.reason);
  const base = `http://127.0.0.1:${started.address.port}`;
  const scrape = async (): Promise<Sample[]> => parseSamples(await (await fetch(`${base}/metrics`)).text());
  return { daemon, base, lines, scrape, pauses };
}

/** Value of the one sample of `name` matching `labels`, or undefined. */
export function metricValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/**
 * A transport that sends queries for `HOST:53` to where the test says: discovered servers and the
 * resolv.conf nameserver use port 53, which tests must not (and cannot) use.
 */
export function redirectTransport(
  inner: DnsTransport,
  map: ReadonlyMap<string, ServerAddress>,
): DnsTransport {
  const to = (r: ExchangeRequest): ExchangeRequest => {
    const target = map.get(`${r.server.host}:${r.server.port}`);
    return target ? { ...r, server: target } : r;
  };
  return { udp: (r) => inner.udp(to(r)), tcp: (r) => inner.tcp(to(r)) };
}
