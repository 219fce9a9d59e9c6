/** What a subcommand may touch of the process: its output streams and environment. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks a long-running command (lab, daemon) to stop; defaults to SIGINT/SIGTERM. */
  readonly stopSignal?: AbortSignal;
}

/** Exit codes of the CLI contract (PRODUCT.md section 3). */
export const EXIT = Object.freeze({ OK: 0, FINDING: 1, USAGE: 2 } as const);
