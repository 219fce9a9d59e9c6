import { createLogger, type Logger } from '../../src/log.ts';

/** A pino logger writing into memory, with the parsed lines for assertions (pino test/helper.js sink()). */
export function captureLog(level: 'debug' | 'info' | 'warn' = 'info'): {
  log: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(
    { level },
    {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      },
    },
  );
  return { log, lines };
}
