/**
 * Prints `tests: N passed, N failed` from vitest's JSON report (the CI contract line).
 * A missing or unreadable report counts as one failure: a run that produced no report did not pass.
 * A test file that fails to load (it has no failed test of its own) counts as one failure, and a
 * skipped or todo test counts as failed: nothing may skip itself into green.
 */
import { readFileSync } from 'node:fs';

interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: { status: string; fullName: string }[];
}

const path = process.argv[2] ?? 'test-results/vitest.json';
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(path, 'utf8')) as { testResults: FileResult[] };
  for (const file of report.testResults) {
    const statuses = file.assertionResults.map((a) => a.status);
    passed += statuses.filter((s) => s === 'passed').length;
    const bad = file.assertionResults.filter((a) => a.status !== 'passed');
    failed += bad.length;
    for (const a of bad)
      if (a.status !== 'failed') console.error(`${a.status}: ${a.fullName} (counted as failed)`);
    if (file.status === 'failed' && bad.length === 0) {
      failed += 1;
      console.error(`test file failed to run: ${file.name}: ${(file.message ?? '').split('\n')[0]}`);
    }
  }
} catch (err) {
  console.error(`cannot read vitest report ${path}: ${(err as Error).message}`);
  failed = 1;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
