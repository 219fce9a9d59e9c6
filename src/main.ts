/**
 * Wiring only: picks the subcommand, hands it the process edges, returns an exit code.
 * Nothing below calls process.exit (blackbox_exporter main.go: os.Exit(run())).
 */
import { CHECK_CONFIG_HELP, runCheckConfig } from './cli/check-config.ts';
import { DAEMON_HELP, runDaemon } from './cli/daemon.ts';
import { DEMO_HELP, runDemo } from './cli/demo.ts';
import { FORECAST_HELP, runForecast } from './cli/forecast.ts';
import { type CliIo, EXIT } from './cli/io.ts';
import { LAB_HELP, runLab } from './cli/lab.ts';
import { PROBE_HELP, runProbe } from './cli/probe.ts';
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

const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  probe: { run: runProbe, help: PROBE_HELP },
  lab: { run: runLab, help: LAB_HELP },
  daemon: { run: runDaemon, help: DAEMON_HELP },
  'check-config': { run: runCheckConfig, help: CHECK_CONFIG_HELP },
  demo: { run: runDemo, help: DEMO_HELP },
  forecast: { run: runForecast, help: FORECAST_HELP },
};

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
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    io.stdout.write(topic?.help ?? HELP);
    return EXIT.OK;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.stderr.write(`dns-headroom: unknown command "${command}"\nRun 'dns-headroom --help' for the list.\n`);
    return EXIT.USAGE;
  }
  try {
    return await entry.run(rest, io);
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
