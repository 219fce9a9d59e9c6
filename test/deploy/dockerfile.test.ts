/**
 * The Dockerfile, without a Docker engine (none runs here): every FROM is Debian-based and none is
 * Alpine or musl; the runtime stage is distroless Node 24 on Debian 12, runs as a numeric non-root
 * user, gets production dependencies only and carries OCI labels; what it COPYs exists and passes
 * .dockerignore; and the image's file layout is rebuilt in a temporary directory (compiled dist/,
 * package.json, node_modules) to run its ENTRYPOINT and its `dns-headroom` command for real.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../src/metrics/piece-pool.ts';
import { only, render } from './helpers/manifests.ts';
import { ROOT } from './helpers/prometheus-rule.ts';

const exec = promisify(execFile);
const DOCKERFILE = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');
const WRAPPER = path.join(ROOT, 'deploy/docker/dns-headroom');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
};

/** One Dockerfile instruction, continuation lines joined, comments dropped. */
interface Instruction {
  readonly op: string;
  readonly args: string;
}

function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return { op: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

/** Build stages: the FROM image, the stage name, and the instructions that follow. */
function stages(text: string): { image: string; name: string | null; body: Instruction[] }[] {
  const out: { image: string; name: string | null; body: Instruction[] }[] = [];
  for (const ins of instructions(text)) {
    if (ins.op === 'FROM') {
      const [image, as, name] = ins.args.split(/\s+/);
      out.push({
        image: image as string,
        name: as?.toUpperCase() === 'AS' ? (name ?? null) : null,
        body: [],
      });
    } else {
      out.at(-1)?.body.push(ins);
    }
  }
  return out;
}

/** The final stage's `ENV KEY=value` settings: the environment the container starts with. */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stages(DOCKERFILE).at(-1)?.body ?? []) {
    if (ins.op !== 'ENV') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))$/.exec(ins.args);
    if (!m) throw new Error(`ENV line this test cannot read: ${ins.args}`);
    env[m[1] as string] = m[2] ?? m[3] ?? '';
  }
  return env;
}

/** The node flags of the final stage's ENTRYPOINT (between the node binary and the script). */
function entrypointFlags(): string[] {
  const line = (stages(DOCKERFILE).at(-1)?.body ?? []).findLast((i) => i.op === 'ENTRYPOINT');
  if (!line) throw new Error('the final stage has no ENTRYPOINT');
  return (JSON.parse(line.args) as string[]).slice(1, -1);
}

/** Would .dockerignore let this context path into the build? (`*` then `!path` exceptions.) */
function included(rel: string): boolean {
  let keep = true;
  for (const raw of DOCKERIGNORE.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/\/$/, '');
    const matches = pattern === '*' || rel === pattern || rel.startsWith(`${pattern}/`);
    if (matches) keep = negate;
  }
  return keep;
}

const all = stages(DOCKERFILE);
const runtime = all.at(-1) as (typeof all)[number];

describe('Dockerfile base images', () => {
  it('is multi-stage', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
  });

  it.each(all.map((s) => [s.image, s] as const))('FROM %s is neither Alpine nor musl-based', (image) => {
    expect(image).not.toMatch(/alpine|musl/i);
    // Debian-based: a Debian release in the tag, or distroless on Debian.
    expect(image).toMatch(/bookworm|trixie|debian1[2-9]/);
    // An exact version, never a floating `latest`.
    expect(image).not.toMatch(/:latest$|^[^:@]+$/);
  });

  it('builds with Node 24 and runs on distroless Node 24 for Debian 12', () => {
    for (const s of all.slice(0, -1)) expect(s.image).toMatch(/^node:24\.\d+\.\d+-bookworm-slim/);
    expect(runtime.image).toMatch(/^gcr\.io\/distroless\/nodejs24-debian12:nonroot/);
  });
});

describe('Dockerfile runtime stage', () => {
  const ops = (op: string) => runtime.body.filter((i) => i.op === op).map((i) => i.args);

  it('runs as a numeric non-root user', () => {
    const users = ops('USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = (users.at(-1) as string).split(':');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid ?? uid)).toBeGreaterThan(0);
  });

  it('matches the DaemonSet: user, port and config path', async () => {
    const objects = await render('deploy/kustomize/overlays/release');
    const ds = only(objects, 'DaemonSet') as unknown as IDaemonSet;
    const spec = ds.spec?.template.spec;
    const c = spec?.containers[0];
    expect(String(spec?.securityContext?.runAsUser)).toBe((ops('USER').at(-1) as string).split(':')[0]);
    expect(ops('EXPOSE')).toEqual([String(c?.ports?.[0]?.containerPort)]);
    expect(JSON.parse(ops('CMD').at(-1) as string)).toEqual(c?.args);
  });

  it('copies production dependencies only (npm ci --omit=dev) and never runs install scripts', () => {
    const copies = ops('COPY').filter((a) => a.includes('node_modules'));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0] as string)?.[1];
    const deps = all.find((s) => s.name === from);
    const installs = deps?.body.filter((i) => i.op === 'RUN' && i.args.includes('npm ci')) ?? [];
    expect(installs.map((i) => i.args)).toEqual([expect.stringContaining('--omit=dev')]);
    for (const s of all) {
      for (const i of s.body) if (i.args.includes('npm ci')) expect(i.args).toContain('--ignore-scripts');
    }
  });

  it('carries OCI labels matching package.json', () => {
    const labels = ops('LABEL').join(' ');
    for (const key of ['title', 'description', 'version', 'licenses']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
    expect(labels).toContain(`org.opencontainers.image.licenses="${PACKAGE.license}"`);
    const versionArg = ops('ARG').find((a) => a.startsWith('VERSION='));
    expect(versionArg).toBe(`VERSION=${PACKAGE.version}`);
  });

  it('starts the compiled daemon that tsconfig.build.json emits', () => {
    const entrypoint = JSON.parse(ops('ENTRYPOINT').at(-1) as string) as string[];
    expect(entrypoint[0]).toBe('/nodejs/bin/node');
    expect(entrypoint.at(-1)).toBe('/app/dist/main.js');
    // Between them only node flags (the ones Node refuses in NODE_OPTIONS), which `npm run bench`
    // passes to the daemon it measures.
    const flags = entrypoint.slice(1, -1);
    for (const flag of flags) expect(flag).toMatch(/^--[a-z0-9-]+(=\S+)?$/);
    expect(flags).toContain('--single-threaded-gc');
    expect(flags).toContain('--no-concurrent-recompilation');
    expect(flags).toContain('--max-opt=2');
    expect(flags).toContain('--lazy-new-space-shrinking');
    expect(flags).toContain('--no-memory-reducer-favors-memory');
    // The daemon gives start-up's memory back through V8's collector (src/daemon/release-memory.ts).
    expect(flags).toContain('--expose-gc');
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
    expect(existsSync(path.join(ROOT, 'src/main.ts'))).toBe(true);
  });

  it('installs the dns-headroom command the runbooks exec, executable, pointing at the same entry', () => {
    const copy = ops('COPY').find((a) => a.endsWith('/usr/local/bin/dns-headroom'));
    expect(copy).toContain('--chmod=0755');
    expect(copy).toContain('deploy/docker/dns-headroom');
    const wrapper = readFileSync(WRAPPER, 'utf8');
    expect(wrapper.split('\n')[0]).toBe('#!/nodejs/bin/node');
    expect(wrapper).toContain("import('/app/dist/main.js')");
    expect(statSync(WRAPPER).mode & 0o111).not.toBe(0);
  });
});

describe('Docker build context', () => {
  it('COPY sources from the context exist and pass .dockerignore', () => {
    const sources = all
      .flatMap((s) => s.body)
      .filter((i) => i.op === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) => {
        const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        return parts.slice(0, -1);
      });
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      const rel = source.replace(/^\.\//, '').replace(/\/$/, '');
      expect(existsSync(path.join(ROOT, rel)), `${rel} does not exist`).toBe(true);
      expect(included(rel), `${rel} is excluded by .dockerignore`).toBe(true);
    }
  });

  it('.dockerignore keeps node_modules, tests and git out', () => {
    for (const rel of ['node_modules', 'test', '.git', 'dist', 'docs', 'test-results']) {
      expect(included(rel), rel).toBe(false);
    }
  });
});

describe('the image layout, rebuilt in a temporary directory', () => {
  // /app/package.json, /app/dist (tsc -p tsconfig.build.json), /app/node_modules, and the wrapper
  // with its /app and /nodejs paths pointed at the temporary copy and this Node.
  let app: string;
  let wrapper: string;

  beforeAll(async () => {
    app = await mkdtemp(path.join(tmpdir(), 'dnsh-image-'));
    await writeFile(path.join(app, 'package.json'), await readFile(path.join(ROOT, 'package.json')));
    await symlink(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
    // --noCheck: this checks the emitted layout; `npx tsc --noEmit` checks the types.
    await exec(process.execPath, [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      path.join(app, 'dist'),
      '--noCheck',
    ]);
    wrapper = path.join(app, 'dns-headroom');
    const text = readFileSync(WRAPPER, 'utf8')
      .replace('#!/nodejs/bin/node', `#!${process.execPath}`)
      .replace('/app/dist/main.js', path.join(app, 'dist/main.js'));
    await writeFile(wrapper, text, { mode: 0o755 });
  });
  afterAll(async () => {
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('the ENTRYPOINT (node, its flags, /app/dist/main.js) prints the version from /app/package.json', async () => {
    // Node exits 9 on a flag it does not know, which would stop every pod at start.
    const { stdout } = await exec(process.execPath, [
      ...entrypointFlags(),
      path.join(app, 'dist/main.js'),
      '--version',
    ]);
    expect(stdout.trim()).toBe(PACKAGE.version);
  });

  it("starts with the image's ENV: Node accepts every NODE_OPTIONS flag and applies the heap settings", async () => {
    // Node refuses some V8 flags in NODE_OPTIONS (exit 9), which would stop every pod at start.
    const env = imageEnv();
    expect(env.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
    const { stdout } = await exec(
      process.execPath,
      ['-e', "console.log(require('node:v8').getHeapStatistics().heap_size_limit)"],
      { env: { ...process.env, ...env } },
    );
    const limitMiB = Number(stdout.trim()) / 1024 / 1024;
    const oldSpaceMiB = Number(/--max-old-space-size=(\d+)/.exec(env.NODE_OPTIONS ?? '')?.[1]);
    // The heap limit is the old space plus the young generation: within a few tens of MiB of it.
    expect(limitMiB).toBeGreaterThanOrEqual(oldSpaceMiB);
    expect(limitMiB).toBeLessThan(oldSpaceMiB + 64);
    const version = await exec(
      process.execPath,
      [...entrypointFlags(), path.join(app, 'dist/main.js'), '--version'],
      {
        env: { ...process.env, ...env },
      },
    );
    expect(version.stdout.trim()).toBe(PACKAGE.version);
  });

  it('has glibc mmap every /metrics piece but not the 64 KiB receive buffers', () => {
    const threshold = Number(imageEnv().MALLOC_MMAP_THRESHOLD_);
    expect(Number.isInteger(threshold) && threshold > 0).toBe(true);
    // Each /metrics piece is rendered into a buffer of CHUNK_BYTES (a longer line gets a larger one).
    expect(threshold).toBeLessThanOrEqual(CHUNK_BYTES);
    // libuv asks for 64 KiB for every UDP datagram and TCP read; mmap for those costs a syscall pair
    // and page faults per reply.
    expect(threshold).toBeGreaterThan(64 * 1024 + 64);
  });

  it('the ENTRYPOINT accepts the shipped config (check-config)', async () => {
    const objects = await render('deploy/kustomize/overlays/release');
    const configMap = only(objects, 'ConfigMap', 'dns-headroom-config') as unknown as IConfigMap;
    const file = path.join(app, 'config.yaml');
    await writeFile(file, configMap.data?.['config.yaml'] ?? '');
    const { stdout } = await exec(process.execPath, [
      ...entrypointFlags(),
      path.join(app, 'dist/main.js'),
      'check-config',
      file,
    ]);
    expect(stdout).toContain('valid');
  });

  it('`dns-headroom probe --help` works through the wrapper, run as an executable', async () => {
    const { stdout } = await exec(wrapper, ['probe', '--help']);
    expect(stdout).toContain('Usage: dns-headroom probe NAME...');
  });

  it('the wrapper passes the exit status through (2 on a usage error)', async () => {
    const error = await exec(wrapper, ['probe']).then(
      () => null,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toContain('probe needs at least one NAME');
  });
});
