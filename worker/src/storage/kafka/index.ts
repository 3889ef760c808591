/** Distributed mode's `Log`: Apache Kafka through kafkajs. */
export { KafkaLog } from './kafka-log.js';
export type { KafkaLogOptions } from './kafka-log.js';
export type { KafkaGroupConsumerOptions } from './kafka-group-consumer.js';
export { murmur2, partitionForKey } from './partitioner.js';
