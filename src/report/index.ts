/** Report documents (JSON) and their human rendering. */
export { type ExchangeJson, exchangeJson, type ProbeReportJson, reportJson } from './json.ts';
export { renderReport, sizeBar } from './text.ts';
