/** The schedule module: the periodic job scheduler, the query budget and the timer seam they share. */
export { type QueryBudget, withQueryBudget } from './budget-transport.ts';
export {
  DEFAULT_LATE_TOLERANCE_MS,
  type RunJob,
  Scheduler,
  type SchedulerOptions,
  type SchedulerSettings,
  type SchedulerStats,
  type StopOptions,
} from './scheduler.ts';
export { systemTimers, type TimerHandle, type Timers } from './timers.ts';
export { defaultBurst, TokenBucket, type TokenBucketOptions } from './token-bucket.ts';
