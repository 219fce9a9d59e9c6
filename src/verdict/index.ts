/** Verdicts and diagnoses for probe results. */
export {
  type Assessment,
  DEFAULT_WARN_BYTES,
  type JudgeOptions,
  judge,
  type QtypeFigures,
  VERDICTS,
  type Verdict,
} from './verdict.ts';
