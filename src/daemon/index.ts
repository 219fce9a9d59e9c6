/** The daemon: scheduled probing with hot-reloaded config, metrics and status. */
export { Daemon, type DaemonDeps, type DaemonKubeDeps, type StartOutcome } from './daemon.ts';
export { memoryRelease } from './release-memory.ts';
export {
  type FailureRecord,
  type ForecastQtypeStatus,
  type KubernetesStatus,
  type KubeWatchStatus,
  type ServiceForecastStatus,
  type StatusSnapshot,
  sortWorstFirst,
  type TargetStatus,
  VERDICT_ORDER,
} from './status.ts';
export { StatusTracker, type TrackedTarget, type Transition } from './tracker.ts';
