import {
  AlreadyExistsError,
  ConnectError,
  DataError,
  IllegalStateError,
  NotFoundError,
  RetriableError,
} from '@sluice/core';
import type { ErrorContext } from '@sluice/core';

/** The fields kafkajs puts on its errors (KafkaJSProtocolError and friends). */
interface KafkaJsErrorShape {
  name?: string;
  message?: string;
  type?: string;
  retriable?: boolean;
  cause?: unknown;
  errors?: unknown[];
}

const NOT_FOUND = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'GROUP_ID_NOT_FOUND']);
const ALREADY_EXISTS = new Set(['TOPIC_ALREADY_EXISTS']);
const ILLEGAL_STATE = new Set(['NON_EMPTY_GROUP', 'GROUP_SUBSCRIBED_TO_TOPIC', 'INVALID_PARTITIONS', 'INVALID_REPLICATION_FACTOR', 'INVALID_CONFIG', 'POLICY_VIOLATION', 'INVALID_TOPIC_EXCEPTION']);
const REBALANCE = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);
const DATA = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP', 'INVALID_REQUIRED_ACKS']);
const FORBIDDEN = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const TRANSPORT = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSNoBrokerAvailableError',
]);

/** The kafkajs protocol error type (e.g. `UNKNOWN_TOPIC_OR_PARTITION`) of an error or of its causes. */
export function kafkaErrorType(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const shape = current as KafkaJsErrorShape;
    if (typeof shape.type === 'string') return shape.type;
    if (Array.isArray(shape.errors) && shape.errors.length > 0) current = shape.errors[0];
    else current = shape.cause;
  }
  return undefined;
}

/**
 * Maps a kafkajs (or any) error onto the core error classes, keeping the original as `cause`.
 * ConnectErrors pass through unchanged. Errors are judged by the Kafka error type found on them or
 * their causes (so `KafkaJSNumberOfRetriesExceeded` caused by UNKNOWN_TOPIC_OR_PARTITION becomes a
 * NotFoundError); without one, exhausted retries and transport failures are retriable.
 */
export function toConnectError(err: unknown, action: string, context: ErrorContext = {}): ConnectError {
  if (ConnectError.is(err)) return err;
  const shape = (typeof err === 'object' && err !== null ? err : {}) as KafkaJsErrorShape;
  const type = kafkaErrorType(err);
  // OpenSSL messages end with a line break: keep the message on one line
  const detail = (shape.message ?? String(err)).trim().replace(/\s*\n\s*/g, ' ');
  const message = `${action} failed: ${detail}${tlsHint(detail)}`;
  const options = { cause: err, context };
  if (type !== undefined) {
    if (NOT_FOUND.has(type)) return new NotFoundError(message, options);
    if (ALREADY_EXISTS.has(type)) return new AlreadyExistsError(message, options);
    if (ILLEGAL_STATE.has(type)) return new IllegalStateError(message, options);
    if (DATA.has(type)) return new DataError(message, options);
    if (REBALANCE.has(type)) return new ConnectError(message, { ...options, retriable: true }, 'REBALANCE_IN_PROGRESS');
    if (FORBIDDEN.has(type)) return new ConnectError(message, options, 'FORBIDDEN');
  }
  if (shape.name === 'KafkaJSSASLAuthenticationError') return new ConnectError(message, options, 'UNAUTHORIZED');
  if (shape.name === 'KafkaJSNumberOfRetriesExceeded' || (shape.name !== undefined && TRANSPORT.has(shape.name))) {
    return new RetriableError(message, options);
  }
  if (shape.name === 'KafkaJSNonRetriableError' && shape.cause !== undefined) {
    return toConnectError(shape.cause, action, context);
  }
  if (shape.retriable === true) return new RetriableError(message, options);
  return new ConnectError(message, options);
}

/** What to check for the TLS failures whose OpenSSL wording says little to an operator. */
function tlsHint(detail: string): string {
  if (/alert bad certificate|alert certificate required|alert unknown ca/i.test(detail))
    return ' (the broker refused the client certificate, or none was sent: check ssl.keystore.* / ssl.certificate.location and that the broker trusts its issuer)';
  if (/self[- ]signed certificate|unable to (get local issuer|verify)/i.test(detail))
    return " (the broker's certificate is not trusted: set ssl.truststore.location / ssl.truststore.certificates with its CA, ssl.truststore.type=PEM)";
  if (/Hostname\/IP does not match|altnames/i.test(detail))
    return " (the broker's certificate does not name the host connected to: fix the certificate or bootstrap.servers; ssl.endpoint.identification.algorithm= skips the check)";
  return '';
}
