/**
 * The lab in a worker thread, sampling its own query counter. Run in the test's thread, the lab
 * would read its sockets only when the probes' event loop lets it, so its counter would show
 * queries in bunches that the budget never granted; in its own thread it sees them when they
 * arrive, as a CoreDNS in another process would.
 *
 * Protocol: posts `{ type: 'ready', main }` once listening; on `'stop'` posts
 * `{ type: 'samples', samples: [atMs, total][] }` and exits.
 */
import { parentPort } from 'node:worker_threads';
import { systemClock } from '../../../src/clock.ts';
import { LabServer } from '../../../src/lab/index.ts';

const SAMPLE_EVERY_MS = 2;

if (parentPort === null) throw new Error('lab-worker.ts must run in a worker thread');
const port = parentPort;
const lab = new LabServer({ address: '127.0.0.1', port: 0, clock: systemClock });
const { main } = await lab.start();
const samples: [number, number][] = [];
const sample = () => samples.push([performance.now(), lab.queries.total]);
sample();
const sampler = setInterval(sample, SAMPLE_EVERY_MS);
port.on('message', async (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(sampler);
  sample();
  port.postMessage({ type: 'samples', samples });
  await lab.stop();
  port.close();
});
port.postMessage({ type: 'ready', main });
