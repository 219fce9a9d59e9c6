/** Helpers of the truth tests: namespaces, real servers, real C libraries, dig, the matrix and its results. */
export {
  CLIENT_TIMEOUT_MS,
  type ClientBinaries,
  REAL_LIBRARIES,
  type RealLibrary,
  type RealOutcome,
} from './clients.ts';
export { type DigAnswer, type DigResult, dig, parseDigOutput } from './dig.ts';
export { cellLabel, collectRealRows, type MatrixCell, matrixCells } from './matrix.ts';
export { liveNamespaces, NetworkNamespace } from './netns.ts';
export {
  assertTruthPrerequisites,
  type ComponentVersions,
  componentVersions,
  REQUIRED_TOOLS,
} from './preflight.ts';
export {
  assertProbeCli,
  type LabScenarioRef,
  loadLabScenarios,
  NODE_BIN,
  type ProbeRun,
  REPO_ROOT,
  runProbes,
} from './product.ts';
export {
  KUBERNETES_SEARCH,
  muslCandidates,
  RESOLV_CONF_TEXT,
  RESOLV_VARIANTS,
  type ResolvVariant,
} from './resolv.ts';
export {
  type ComparedRow,
  type Measurement,
  PREDICTED_RESULTS,
  type PredictionCell,
  REAL_RESULTS,
  type RealRow,
  type ResultsFile,
  readResults,
  writeResults,
} from './results.ts';
export { mapPool, pollUntil, run } from './run.ts';
export { type RunningServer, SERVER_ADDRESS, type ServerKind } from './servers.ts';
export { openSession, type TruthSession } from './session.ts';
export { answerBytes, answerLayout, type CompressionStyle, nameWireLength } from './wire.ts';
export { staticAnswer, type ZoneRecord } from './zones.ts';
