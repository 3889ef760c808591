/** Version every plugin of this package reports (the `@sluice/transforms` package version). */
export const TRANSFORMS_VERSION = '0.1.0';

/** Package prefix of Kafka Connect's built-in transformations (their canonical ids). */
export const KAFKA_TRANSFORMS_PACKAGE = 'org.apache.kafka.connect.transforms';
