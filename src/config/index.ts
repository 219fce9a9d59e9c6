/** The config module: schema and defaults, validation, the last-good store and the file source. */

export { checkName, MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from '../resolver/name.ts';
export { formatDuration, parseDuration } from './duration.ts';
export {
  DEFAULT_DEBOUNCE_MS,
  type DirectoryWatch,
  FileConfigSource,
  type FileConfigSourceOptions,
  MAX_CONFIG_BYTES,
  type ReadText,
  readTextFile,
  type Schedule,
  scheduleTimer,
  type WatchDirectory,
  watchDirectory,
} from './file-source.ts';
export { type ConfigIssue, formatIssue, formatPath, type PathSegments, suggestKey } from './issues.ts';
export { type ConfigResult, checkLabelName, parseConfig, parseConfigText } from './parse.ts';
export {
  type Config,
  type ConfigFile,
  DEFAULTS,
  deepFreeze,
  FAMILIES,
  type KubernetesConfig,
  type KubernetesFile,
  LIMITS,
  type ListenAddress,
  LOG_LEVELS,
  type LogLevel,
  type ObjectRef,
  RESERVED_LABEL_NAMES,
  type TargetConfig,
  type TargetFile,
} from './schema.ts';
export {
  type ApplyOutcome,
  type ConfigChange,
  type ConfigListener,
  type ConfigLog,
  ConfigStore,
  type ConfigStoreOptions,
  MAX_LOGGED_ISSUES,
  type ReloadGauges,
  type ReloadStatus,
  SILENT_LOG,
} from './store.ts';
export {
  diffTargets,
  type ExpandedTarget,
  expandTargets,
  labelNames,
  type TargetDiff,
  targetKey,
} from './targets.ts';
