/**
 * `@sluice/testkit`: what a connector author needs to test a connector without a worker—task
 * harnesses that drive tasks as the runtime does, a capturing logger, and the conformance suite
 * every connector runs.
 */
export { CapturingLogger, type LogEntry, type LogLevel } from './logging/capturing-logger.js';
export { InMemoryOffsetStorageReader, type PartitionOffset } from './source/in-memory-offset-storage-reader.js';
export {
  SourceTaskHarness,
  type PollUntilOptions,
  type RestartOptions,
  type SourceTaskFactory,
  type SourceTaskHarnessOptions,
} from './source/source-task-harness.js';
export { SinkTaskHarness, type ErrantRecordReport, type SinkTaskHarnessOptions } from './sink/sink-task-harness.js';
export { sinkRecords, type SinkRecordsOptions } from './sink/sink-records.js';
export {
  connectorConformance,
  type ConformanceMatchers,
  type ConformanceOptions,
} from './conformance/connector-conformance.js';
