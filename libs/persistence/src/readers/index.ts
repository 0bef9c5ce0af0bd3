export { createMirrorReader } from './mirror-reader.js';
export { createMirrorSearch } from './mirror-search.js';
export {
  createAnalyticsReader,
  aggregatePath,
  buildAggregateMetricSql,
  buildMetricSql,
  type AggregatePath,
  type AnalyticsReaderOptions,
} from './analytics-reader.js';
export { createReportFileWriter, stripReportExtension } from './report-files.js';
