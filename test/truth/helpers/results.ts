/**
 * The recorded results of the truth tests, written under test-results/truth/ (git-ignored) and
 * read by scripts/accuracy-report.ts to regenerate docs/accuracy.md.
 *   real.json       what the real libraries and dig returned (real-libraries.test.ts)
 *   predicted.json  the same rows with the product's predictions beside them (predictions.test.ts)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Family } from '../../../src/probe/types.ts';
import type { RealLibrary, RealOutcome } from './clients.ts';
import type { DigResult } from './dig.ts';
import type { ComponentVersions } from './preflight.ts';
import { REPO_ROOT } from './product.ts';
import type { ResolvVariant } from './resolv.ts';
import type { ServerKind } from './servers.ts';

/** Where results go. */
export const RESULTS_DIR = join(REPO_ROOT, 'test-results/truth');
/** The real side. */
export const REAL_RESULTS = join(RESULTS_DIR, 'real.json');
/** Real and predicted side by side. */
export const PREDICTED_RESULTS = join(RESULTS_DIR, 'predicted.json');

/** One candidate of the musl search walk as the server answered it. */
export interface RealWalkStep {
  readonly fqdn: string;
  readonly rcode: string;
}

/** UDP (as musl receives it) and TCP (complete) answers for one name and qtype. */
export interface Measurement {
  readonly udp: DigResult;
  readonly tcp: DigResult;
}

/** One cell of the matrix: a case under one server, resolv.conf and family, as reality answered it. */
export interface RealRow {
  readonly caseId: string;
  readonly title: string;
  readonly server: ServerKind;
  readonly resolv: ResolvVariant;
  readonly family: Family;
  /** The name as the pod wrote it. */
  readonly name: string;
  /** The musl walk (each candidate until the first that is not NXDOMAIN). */
  readonly walk: readonly RealWalkStep[];
  /** The candidate that ended musl's walk (the first that is not NXDOMAIN), or null when all were. */
  readonly answeringName: string | null;
  /** Where the walk ended: `answeringName`, or the last candidate when every one was NXDOMAIN. */
  readonly walkEnd: string;
  /** dig at `walkEnd` for each qtype of the family. */
  readonly measurements: Readonly<Partial<Record<'A' | 'AAAA', Measurement>>>;
  /**
   * Largest complete answer among the family's qtypes at `walkEnd`: `dig +tcp +noedns`, or the
   * UDP answer when it has no TC and TCP got no answer (null when some qtype's size is unknown).
   */
  readonly fullBytes: number | null;
  readonly real: Readonly<Record<RealLibrary, RealOutcome>>;
}

/** A prediction for one row, or why there is none. */
export type PredictionCell =
  | {
      readonly ok: true;
      readonly clients: Readonly<Record<RealLibrary, { addresses: number; error: string | null }>>;
      readonly fullBytes: number | null;
      readonly verdict: string;
      readonly exitCode: number;
    }
  | { readonly ok: false; readonly message: string };

/** A real row with its prediction and the comparison. */
export interface ComparedRow extends RealRow {
  readonly predicted: PredictionCell;
  /** Human-readable mismatches; empty when the prediction equals reality. */
  readonly mismatches: readonly string[];
}

/** The file format of real.json and predicted.json. */
export interface ResultsFile<Row> {
  readonly kind: 'real' | 'predicted';
  readonly generatedAt: string;
  readonly versions: ComponentVersions;
  /** Lab scenarios left out of the matrix, and why. */
  readonly excluded: readonly { readonly id: string; readonly reason: string }[];
  readonly timings: Readonly<Record<string, number>>;
  readonly rows: readonly Row[];
}

/** Writes a results file (creating test-results/truth/). */
export function writeResults<Row>(path: string, file: ResultsFile<Row>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** Reads a results file, or null when it does not exist. */
export function readResults<Row>(path: string): ResultsFile<Row> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ResultsFile<Row>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
