#!/usr/bin/env node
// Entry point for the `dns-headroom` binary. Node 24 runs the TypeScript sources directly
// (type stripping), so there is no build step between the repo and the process.
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
