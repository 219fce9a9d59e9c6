#!/usr/bin/env bash
# Every test, from a fresh clone: Debian packages the real-component tests need (when missing),
# npm dependencies exactly as locked, then every vitest project with a JSON report, and last the
# line `tests: N passed, N failed` read from that report. Exit status is vitest's.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-debian-deps.sh || echo "warning: Debian packages could not all be installed; tests that need them will fail and say which" >&2

npm ci --no-audit --no-fund || { echo "npm ci failed" >&2; echo "tests: 0 passed, 1 failed"; exit 1; }

mkdir -p test-results
rm -f test-results/vitest.json
# `npm exec` puts node_modules/.bin first on PATH, so vitest runs on the pinned Node 24.
npm exec -- vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
npm exec -- node scripts/test-summary.ts test-results/vitest.json || status=1
exit $status
