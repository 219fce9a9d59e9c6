/**
 * Node built-ins that the daemon loads with `require` instead of `import`.
 *
 * Why: an ESM `import` of a built-in builds a module namespace from every export, and that reads
 * the lazy getters too. node:http's `WebSocket`, `CloseEvent` and `MessageEvent` getters load
 * undici, http2 and worker_threads, none of which the daemon uses. Measured on Node 24.21 (RSS
 * after importing only that module): `import 'node:http'` 58.2 MiB, `require('node:http')` 44.9 MiB;
 * node:util and node:fs add about 2.5 MiB each the same way. The DaemonSet pays this on every node.
 *
 * For the same reason the daemon reads files through node:fs's callbacks, not node:fs/promises
 * (whose `FileHandle.readLines` loads readline), and does without node:crypto (see query-id.ts).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** node:http, without its lazy web globals. */
export const http: typeof import('node:http') = require('node:http');
const fs: typeof import('node:fs') = require('node:fs');
const util: typeof import('node:util') = require('node:util');

/** node:fs's directory watch and synchronous calls. */
export const { closeSync, openSync, readFileSync, readSync, watch } = fs;
/** `fs.readFile` as a promise. */
export const readFile = util.promisify(fs.readFile);
/** `fs.stat` as a promise. */
export const stat = util.promisify(fs.stat);
/** Structural equality of plain data (node:util). */
export const { isDeepStrictEqual } = util;
/** node:util's argument parser. */
export const { parseArgs } = util;
