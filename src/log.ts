/**
 * The root logger (STYLE.md section 7): built once by main, handed down as children per
 * component. Messages are constant strings; data goes in the merging object.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

/** pino's levels plus `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Builds the root logger writing JSON lines to `destination` (stdout in production, a capture stream in tests). */
export function createLogger(
  options: { level: LogLevel; base?: Record<string, unknown> },
  destination: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      // Durations are in seconds and timestamps ISO: easy to read in `kubectl logs` and to parse.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
