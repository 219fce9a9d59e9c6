/**
 * `dns-headroom daemon --config FILE | --configmap NAMESPACE/NAME`: the DaemonSet process. Runs
 * until SIGTERM/SIGINT (or the injected stop signal), reloads the config on SIGHUP and on change
 * (file or ConfigMap).
 */
import { parseArgs } from '../builtins.ts';
import { systemClock } from '../clock.ts';
import { Daemon, memoryRelease } from '../daemon/index.ts';
import { parseConfigMapRef } from '../kube/index.ts';
import { createLogger, type LogLevel } from '../log.ts';
import { VERSION } from '../version.ts';
import { type CliIo, EXIT } from './io.ts';

/** Help text of `daemon`. */
export const DAEMON_HELP = `Usage: dns-headroom daemon (--config FILE | --configmap NAMESPACE/NAME) [options]

Probe the configured targets on a schedule, export Prometheus metrics and serve the status page.
The config (YAML, see docs/configuration.md) is reloaded when the file or the ConfigMap changes and
on SIGHUP; an invalid config keeps the last good one (dnsheadroom_config_last_reload_successful
drops to 0). SIGTERM stops scheduling, lets in-flight probes finish (5 s at most) and exits 0.

Options:
  --config FILE                  The YAML config file.
  --configmap NAMESPACE/NAME     Instead of --config: the key config.yaml of this ConfigMap, watched
                                 through the Kubernetes API (docs/kubernetes.md). Env: DNS_HEADROOM_CONFIGMAP.
  --kubeconfig FILE              How to reach the API (default: KUBECONFIG, else the pod's service account).
  --listen [HOST]:PORT           Override the config's listen address (e.g. 127.0.0.1:9553, :0 for any free port).
  -h, --help                     This help.

HTTP endpoints: /metrics, /healthz (liveness), /readyz (config loaded and first round done),
/status (JSON), / (status page). Environment: NODE_NAME becomes the node label.
Exit status: 0 after a clean shutdown, 1 when the first config is invalid or unreachable or the port
is taken, 2 usage error.
`;

function parseListen(text: string): { host: string | null; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) return null;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? null : host, port };
}

/** Runs the daemon until stopped; returns the exit code. */
export async function runDaemon(args: string[], io: CliIo): Promise<number> {
  let values: { config?: string; configmap?: string; kubeconfig?: string; listen?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        config: { type: 'string' },
        configmap: { type: 'string' },
        kubeconfig: { type: 'string' },
        listen: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(
      `dns-headroom daemon: ${(err as Error).message}\nRun 'dns-headroom daemon --help' for usage.\n`,
    );
    return EXIT.USAGE;
  }
  if (values.help) {
    io.stdout.write(DAEMON_HELP);
    return EXIT.OK;
  }
  // The flag wins over the environment, so a Pod spec can set the env and a debug run override it.
  const configMapText = values.configmap ?? (values.config ? undefined : io.env.DNS_HEADROOM_CONFIGMAP);
  if (values.config && values.configmap) {
    io.stderr.write(`dns-headroom daemon: --config and --configmap exclude each other\n`);
    return EXIT.USAGE;
  }
  if (!values.config && !configMapText) {
    io.stderr.write(
      `dns-headroom daemon: --config FILE or --configmap NAMESPACE/NAME is required\nRun 'dns-headroom daemon --help' for usage.\n`,
    );
    return EXIT.USAGE;
  }
  const configMap = configMapText ? parseConfigMapRef(configMapText) : undefined;
  if (configMap === null) {
    io.stderr.write(
      `dns-headroom daemon: --configmap takes NAMESPACE/NAME (lower-case DNS names), not "${configMapText}"\n`,
    );
    return EXIT.USAGE;
  }
  const listen = values.listen === undefined ? undefined : parseListen(values.listen);
  if (listen === null) {
    io.stderr.write(`dns-headroom daemon: --listen takes [HOST]:PORT, not "${values.listen}"\n`);
    return EXIT.USAGE;
  }
  const level = (io.env.DNS_HEADROOM_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const log = createLogger({ level }, io.stdout as unknown as Parameters<typeof createLogger>[1]);
  const daemon = new Daemon({
    ...(configMap ? { configMap } : { configPath: values.config as string }),
    kube: { kubeconfigPath: values.kubeconfig ?? null, env: io.env },
    version: VERSION,
    node: io.env.NODE_NAME ?? null,
    log,
    clock: systemClock,
    ...(listen ? { listen } : {}),
    releaseMemory: memoryRelease(),
  });
  const started = await daemon.start();
  if (!started.ok) {
    log.fatal({ reason: started.reason }, 'dns-headroom daemon cannot start');
    io.stderr.write(`dns-headroom daemon: ${started.reason}\n`);
    return 1;
  }
  const onHup = () => {
    log.info({}, 'SIGHUP: reloading config');
    daemon.reload().catch((err: unknown) => log.error({ err }, 'reload failed'));
  };
  process.on('SIGHUP', onHup);
  await waitForStop(io.stopSignal);
  process.off('SIGHUP', onHup);
  await daemon.stop(5000);
  return EXIT.OK;
}

/** Resolves on the injected stop signal, or on SIGTERM/SIGINT. */
function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const done = () => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve();
    };
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
}
