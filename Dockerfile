# syntax=docker/dockerfile:1
#
# dns-headroom container image: build on Debian with Node 24, run on Debian 12 distroless Node 24 as
# non-root. Never Alpine or any other musl base: this tool exists because musl <= 1.2.3 loses
# truncated DNS answers, and its runbooks tell teams to move off such images (a test checks every
# FROM line).
#
#   docker build -t dns-headroom:0.1.0 .
#   docker run --rm dns-headroom:0.1.0 probe kubernetes.default --json
#
# Base images are pinned to exact versions here. A release pins them by digest as well
# (`FROM node:24.21.0-bookworm-slim@sha256:...`): resolve the digests with
# `docker buildx imagetools inspect IMAGE` when cutting the release, since this repository's CI has
# no registry access to keep them current.
#
# The image runs the JavaScript compiled by `npm run build` (tsc to dist/): type stripping at run
# time loads a WebAssembly compiler and costs about 30 MiB of RSS per node (npm run bench).

# ---- build: compile src/ to dist/ ---------------------------------------------------------------
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script is the `node` devDependency's binary download, which
# this image already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# ---- deps: production dependencies only ---------------------------------------------------------
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: distroless Node 24 on Debian 12, user nonroot (65532) -----------------------------
FROM gcr.io/distroless/nodejs24-debian12:nonroot

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="dns-headroom" \
      org.opencontainers.image.description="Warns before DNS answers outgrow what musl-based (Alpine) pods can receive" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs24-debian12:nonroot"

ENV NODE_ENV=production
# Heap sizes, measured with `npm run bench` (which runs the daemon with these ENV lines):
# - 2 MiB semi-spaces (a young generation of at most 4 MiB). V8's default 16 MiB semi-spaces kept
#   ~40 MiB more RSS per node. V8 rounds the size up to a power of two (v8.getHeapSpaceStatistics:
#   new_space 8 MiB with 3 or 4, 4 MiB with 2). With --no-memory-reducer-favors-memory (below) the
#   pages of a young generation that has grown stay resident (--trace-gc: up to 9 MB "pooled" at
#   1,000 targets, none given back), so the cap is what a node pays. V8 grows the young generation
#   only while the process allocates more than 1 MB/s (Heap::ShouldResizeNewSpace): at 1,000
#   targets the daemon is near that line, under Maglev (below) above it. Measured in session 12
#   (compiled daemon against the lab, RSS over 240-360 s, CPU over 180-420 s, --max-opt=2):
#   1,000 targets 78.8-79.1 MiB with 4 MiB semi-spaces, 76.3-76.8 with 2 and 74.6-75.1 with 1, CPU
#   0.64, 0.58 and 0.63%; 10,000 targets 3.12% of a core with 2 and 4.24% with 1 (Turbofan with 4:
#   2.16%). Earlier, under Turbofan, 2 MiB had cost 10,000 targets up to 5.6% (sessions 7-10);
# - a 192 MiB cap on the old generation: without a cap V8 sizes the heap from the machine's memory
#   and lets it grow to 4x the live data between collections (10,000 targets: 243 MiB RSS); with
#   it the growth factor is about 1.35. 10,000 targets hold about 37 MiB after a full GC; raise the
#   cap with the pod's memory limit for many more (NODE_OPTIONS in the DaemonSet's env).
# Tried and left out (same harness, Node 24.21): --single-threaded saved 6 MiB at 1,000 targets but
# added 30 MiB and a point of CPU at 10,000; with --single-threaded, --optimize-for-size,
# --memory-saver-mode and --lite-mode reached 77, 72 and 66 MiB at 1,000 targets for 2.0, 2.3 and
# 3.1% of a core (1.2% without them).
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=192"
# glibc serves allocations of 96 KiB and more with mmap and unmaps them when freed. A /metrics scrape
# of 10,000 targets writes 30 MB; it was once written as strings in pieces of 128 Ki characters, each
# copied into a malloc'd buffer for the socket, and from the main heap they left it fragmented: RSS
# rose 6-24 MiB with each of the first scrapes (156-170 MiB after four). With this: 134 MiB (peak
# 136) in the bench. The pieces are now 128 KiB buffers (CHUNK_BYTES in src/metrics/piece-pool.ts)
# used again scrape after scrape, and large response bodies (/status, the page) still take this path.
# It must stay above the 64 KiB buffers allocated to receive datagrams: with a 64 KiB threshold
# strace counted 6,854 mmap calls in 25 s at 10,000 targets (about one per reply; 222 with 96 KiB,
# 226 without the variable), and that bench run cost 1.5x the c-ares peer's CPU per query instead of
# 0.8x. A test checks both bounds.
ENV MALLOC_MMAP_THRESHOLD_=98304
WORKDIR /app
# package.json: "type": "module" for dist/*.js, and the version dist/version.js reads.
COPY package.json /app/package.json
COPY --from=deps /app/node_modules /app/node_modules
COPY --from=build /src/dist /app/dist
# `dns-headroom` on PATH, so the runbooks' `kubectl exec ... -- dns-headroom probe NAME` works in a
# distroless image (no shell, no /usr/bin/env).
COPY --chmod=0755 deploy/docker/dns-headroom /usr/local/bin/dns-headroom

# Numeric, so the kubelet can verify runAsNonRoot without resolving a user name.
USER 65532:65532
EXPOSE 9553
# --single-threaded-gc: V8 collects on the main thread instead of waking four helper threads for
# every young-generation collection and for concurrent marking; Node refuses the flag in NODE_OPTIONS,
# hence here. The daemon's collections are small (a few MiB young, 15-40 MiB old), so the helpers
# cost more in wake-ups than they save. Measured in session 5's harness (compiled daemon against the
# lab, /proc ticks over 120 s after warm-up, runs alternated): 1,000 targets, three runs each, 1.62%
# -> 1.38% of a core with the same RSS; 10,000 targets, two runs each, 4.97% -> 4.37%, for 9 MiB
# more RSS (131 -> 140 MiB). Two runs of
# `npm run bench` with it (which scrapes, on a noisy VM): 10,000 targets peaked at 140.5 and 145.4 MiB.
# --no-concurrent-recompilation: V8 optimises hot functions on the main thread instead of on its
# helper threads. The work is the same, but each helper thread that compiles gets a glibc arena of
# its own, and compiler memory freed there is never reused by the main thread: the four arenas held
# 6-7 MiB at 1,000 targets, about 0.4 MiB without them. Measured (session 8, compiled daemon against
# the lab, daemons side by side, /proc ticks over 60 s after 90 s at 1,000 targets and over 120 s
# after 150 s at 10,000): 1,000 targets 94.0 -> 86.4 MiB and 1.27% -> 1.13% of a core; 10,000
# targets 130.3 -> 124.0 MiB and 4.86% -> 3.60% (CPU within this VM's noise). Most optimising is
# done early (--trace-opt at 1,000 targets: 197 functions in the first minute, 35 in the second).
# --max-opt=2: V8 optimises hot functions with Maglev, its mid-tier compiler, and never with
# Turbofan. Turbofan's own code is about 4 MiB of the node binary's pages, resident on every node
# once it has compiled anything (smaps: 28.2 MiB of the binary's code pages under Turbofan, 24.2
# under Maglev); Maglev's code is less optimised and its output allocates about 1.4x as much
# (less escape analysis), which the 2 MiB semi-spaces above keep from growing the young
# generation. Session 12, daemons side by side as above: 1,000 targets 79.9 MiB and 0.54% of a core
# with Turbofan (4 MiB semi-spaces), 76.3-76.8 MiB and 0.58% with this line; 10,000 targets 110.9
# MiB and 2.16% with Turbofan, 108.6-108.8 MiB and 3.12% with this line, within the 5% target
# (`npm run bench` at 10,000 targets: 3.04% and 4.96%, and 6.37% on a VM where the c-ares peer also
# took twice its CPU; at 1,000 targets 77.2 and 73.9 MiB, 0.60 and 0.86%).
# Before session 12, when 10,000 targets already cost 4-5% under Turbofan, the extra point ruled
# Maglev out (sessions 8-11: 4.85 -> 5.37%, 2.32 -> 3.10%). With both tiers (V8's default), Maglev's
# code, feedback and compiler pages came on top of Turbofan's: 1,000 targets 86.9 -> 83.0 MiB
# without Maglev (session 8).
# --lazy-new-space-shrinking: V8 also shrinks the young generation after it has grown, not only in
# its memory reducer's rare full collections. In session 9, under Turbofan with 4 MiB semi-spaces,
# the daemon allocated about 1.2 MB a second at 1,000 targets, and without the flag the young
# generation stood at its 8 MiB cap at the end of three of five 1,000-target measurements; with it,
# at 2-4 MiB in four of five. At 10,000 targets, which allocate enough to need it, it still grew to
# its cap. Measured then (compiled daemon against the lab, daemons side by side, RSS at the end of
# 120 s after 150 s): 1,000 targets
# 81.7 -> 79.0 and 78.2 -> 76.5 MiB with CPU within the noise (1.38 -> 1.48%, 1.26 -> 1.23%);
# 10,000 targets 121.7 -> 120.1 and 123.4 -> 122.3 MiB, 4.47 -> 4.53% and 4.56 -> 4.46%. With
# --no-memory-reducer-favors-memory the pages it gives back stay in V8's page pool, so it saves
# little now; not measured again without it.
# --no-memory-reducer-favors-memory: V8's memory reducer still runs a full collection when the
# daemon is quiet, but not in the memory-reducing mode, which does not keep the hidden classes of
# objects that are not alive at that moment. Each such collection gave back about 5 MiB of heap, and
# deoptimised about 55 functions ("embedded weak objects cleared", --trace-deopt): ours and Node's
# own (processTicksAndRejections, EventTarget, Socket.send), compiled again over the next minute.
# perf over 240-360 s at 1,000 targets put 13% of the daemon's CPU in Turbofan (then the optimising tier). The memory came
# back within minutes, so the peak RSS was no lower. 1,000 targets, daemons side by side, CPU over
# 180-420 s (session 10): 1.38 -> 1.10% and 1.50 -> 1.18% of a core, RSS 76-87 MiB -> 82-83 MiB
# with 4 MiB semi-spaces. Tried and left out: --optimize-for-size (above; every full collection is
# then in the reducing mode: 71-74 MiB, 2.5% of a core, 105 deoptimisations in 420 s); a full
# collection forced every 20 s with --expose-gc (forced collections drop the hidden classes too:
# 500+ deoptimisations, 2.1%).
# --expose-gc: the daemon runs one memory-reducing collection each time every target has had its
# first probe (src/daemon/release-memory.ts), which gives back the pages start-up grew the heap to
# and the flag above would otherwise keep for good; its deoptimisations happen once. Without the
# flag the daemon skips it. The heap builds up again to the steady state's own high-water mark
# (session 10, one such collection at 150 s with 2 MiB semi-spaces: RSS 75 MiB, 80 MiB four
# minutes later; figures with it in docs/footprint.md).
# `npm run bench` reads the flags from this line.
ENTRYPOINT ["/nodejs/bin/node", "--single-threaded-gc", "--no-concurrent-recompilation", "--max-opt=2", "--lazy-new-space-shrinking", "--no-memory-reducer-favors-memory", "--expose-gc", "/app/dist/main.js"]
CMD ["daemon", "--config", "/etc/dns-headroom/config.yaml"]
