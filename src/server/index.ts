/** The HTTP server module: routes, the status page and the /status document. */
export { BAR_SCALE_BYTES, type BarGeometry, barGeometry } from './headroom-bar.ts';
export { escapeHtml, html, SafeHtml } from './html.ts';
export { DEFAULT_REFRESH_SECONDS, type PageOptions, renderStatusPage, VERDICT_LABELS } from './page.ts';
export { notReadyReason, type Readiness } from './readiness.ts';
export {
  ALLOWED_METHODS,
  buildServer,
  type MetricsRegistry,
  SECURITY_HEADERS,
  type ServerDeps,
  type ServerLogger,
} from './server.ts';
export {
  type FailureRecordJson,
  type StatusDocument,
  statusDocument,
  type TargetStatusJson,
} from './status-json.ts';
export { formatAge, formatUtc, formatUtcShort, isoTime } from './time-format.ts';
