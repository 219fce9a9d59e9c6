/**
 * Wiring only: picks the subcommand, hands it the process edges, returns an exit code.
 * Nothing below calls process.exit (blackbox_exporter main.go: os.Exit(run())).
 */
import { type CliIo, EXIT } from './cli/io.ts';
import { DnsHeadroomError } from './errors.ts';
import { VERSION } from './version.ts';

const HELP = `dns-headroom ${VERSION}: warns before DNS answers outgrow what musl-based (Alpine) pods can receive.

Usage: dns-headroom COMMAND [options]

Commands:
  probe NAME...       Resolve names as a pod would; size vs 512, TC, TCP fallback, per-libc outcome.
  daemon --config F   The DaemonSet process: scheduled probes, /metrics, /status, status page
                      (or --configmap NAMESPACE/NAME: the config from a ConfigMap).
  forecast --endpoints N --name NAME
                      Predict offline whether a headless Service with N ready pods still fits in 512 bytes.
  check-config FILE   Validate a daemon config and exit 0 (valid) or 1 (invalid).
  lab                 Run the embedded DNS lab server: every truncation behaviour, on loopback.
  demo                The lab plus a daemon probing it, on loopback (npm run demo).
  help COMMAND        Show a command's help (same as COMMAND --help).

Options: -h, --help  this help;  --version  print the version.
Exit status: 0 ok, 1 a finding (some name is not ok), 2 usage error.
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

/**
 * Each command's module is loaded when it runs: the DaemonSet's process then holds the daemon's
 * code only, not the lab's, the forecaster's or the one-shot probe's (1.2-1.4 MiB of RSS).
 */
const COMMANDS: Readonly<Record<string, () => Promise<{ run: Command; help: string }>>> = {
  probe: () => import('./cli/probe.ts').then((m) => ({ run: m.runProbe, help: m.PROBE_HELP })),
  lab: () => import('./cli/lab.ts').then((m) => ({ run: m.runLab, help: m.LAB_HELP })),
  daemon: () => import('./cli/daemon.ts').then((m) => ({ run: m.runDaemon, help: m.DAEMON_HELP })),
  'check-config': () =>
    import('./cli/check-config.ts').then((m) => ({ run: m.runCheckConfig, help: m.CHECK_CONFIG_HELP })),
  demo: () => import('./cli/demo.ts').then((m) => ({ run: m.runDemo, help: m.DEMO_HELP })),
  forecast: () => import('./cli/forecast.ts').then((m) => ({ run: m.runForecast, help: m.FORECAST_HELP })),
};

/** The loader of a command, or undefined (`toString` is not a command, though every object has one). */
function commandNamed(name: string | undefined) {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    io.stdout.write(HELP);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  if (command === 'help') {
    const topic = commandNamed(rest[0]);
    io.stdout.write(topic === undefined ? HELP : (await topic()).help);
    return EXIT.OK;
  }
  const load = commandNamed(command);
  if (!load) {
    io.stderr.write(`dns-headroom: unknown command "${command}"\nRun 'dns-headroom --help' for the list.\n`);
    return EXIT.USAGE;
  }
  try {
    return await (await load()).run(rest, io);
  } catch (err) {
    // Expected faults are values; anything that reaches here is a bug or a fatal start-up error.
    // Say it in one line; the stack only with DNS_HEADROOM_DEBUG set.
    const message = err instanceof DnsHeadroomError ? `${err.message} (${err.code})` : String(err);
    io.stderr.write(`dns-headroom ${command}: ${message}\n`);
    if (io.env.DNS_HEADROOM_DEBUG) io.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return err instanceof DnsHeadroomError && err.code === 'DNSHEADROOM_ERR_USAGE'
      ? EXIT.USAGE
      : EXIT.FINDING;
  }
}

// Run when executed directly (`node src/main.ts ...`), not when imported by tests or bin/.
if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
}
