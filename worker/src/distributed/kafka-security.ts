import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { WorkerConfig } from '../config/worker-config.js';

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** A worker security setting that cannot be used as given; the message names the key. */
export class KafkaSecurityConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'KafkaSecurityConfigError';
  }
}

/**
 * Kafka client security from Kafka Connect's worker keys, for kafkajs.
 *
 * - `security.protocol`: PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL.
 * - Trust: `ssl.truststore.type=PEM` with `ssl.truststore.location` (a PEM file) or
 *   `ssl.truststore.certificates` (inline PEM), as the Java client takes them; librdkafka's
 *   `ssl.ca.location` too. Without one, the system's CAs. JKS/PKCS12 trust stores are refused with the
 *   keytool command that converts them.
 * - Client certificate: `ssl.keystore.type=PEM` with `ssl.keystore.location` (certificate chain and
 *   key in one PEM file) or `ssl.keystore.certificate.chain` + `ssl.keystore.key`; `PKCS12` with
 *   `ssl.keystore.location` + `ssl.keystore.password`; librdkafka's `ssl.certificate.location` /
 *   `ssl.key.location`. `ssl.key.password` decrypts the key.
 * - `ssl.endpoint.identification.algorithm=` (empty) turns off host name checks only; the certificate
 *   chain is always verified.
 * - `sasl.mechanism` PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 with the user and password from
 *   `sasl.jaas.config` (`username="…" password="…"`) or `sasl.username` / `sasl.password`.
 *
 * @throws KafkaSecurityConfigError naming the key that cannot be used
 */
export function kafkaSecurity(config: WorkerConfig): { ssl?: KafkaConfig['ssl']; sasl?: SASLOptions } {
  const protocol = (config['security.protocol'] ?? 'PLAINTEXT').trim().toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol))
    throw new KafkaSecurityConfigError(
      'security.protocol',
      `Invalid security.protocol "${config['security.protocol']}": use one of ${PROTOCOLS.join(', ')}`,
    );
  const out: { ssl?: KafkaConfig['ssl']; sasl?: SASLOptions } = {};
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.ssl = tlsOptions(config);
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') out.sasl = saslOptions(config);
  return out;
}

/** The file a setting names, as text (or bytes); an unreadable file is an error naming the setting. */
function readSetting(config: WorkerConfig, key: string): string;
function readSetting(config: WorkerConfig, key: string, binary: true): Buffer;
function readSetting(config: WorkerConfig, key: string, binary = false): string | Buffer {
  const file = config[key] as string;
  try {
    return binary ? readFileSync(file) : readFileSync(file, 'utf8');
  } catch (err) {
    throw new KafkaSecurityConfigError(key, `Cannot read ${key} ${file}: ${(err as Error).message}`);
  }
}

function tlsOptions(config: WorkerConfig): ConnectionOptions {
  const tls: ConnectionOptions = { rejectUnauthorized: true };
  if (config['ssl.endpoint.identification.algorithm'] === '') tls.checkServerIdentity = () => undefined;

  const trustType = (config['ssl.truststore.type'] ?? 'JKS').toUpperCase();
  if (config['ssl.truststore.certificates'])
    tls.ca = [pem('ssl.truststore.certificates', config['ssl.truststore.certificates'])];
  else if (config['ssl.truststore.location']) {
    if (trustType !== 'PEM') {
      throw new KafkaSecurityConfigError(
        'ssl.truststore.location',
        `ssl.truststore.location ${config['ssl.truststore.location']} is a ${trustType} trust store; Sluice reads PEM: convert it with ` +
          `"keytool -exportcert -rfc -keystore <store> -alias <ca alias> > ca.pem" and set ssl.truststore.type=PEM and ssl.truststore.location=ca.pem`,
      );
    }
    tls.ca = [pem('ssl.truststore.location', readSetting(config, 'ssl.truststore.location'))];
  } else if (config['ssl.ca.location']) tls.ca = [pem('ssl.ca.location', readSetting(config, 'ssl.ca.location'))];

  const keyType = (config['ssl.keystore.type'] ?? 'JKS').toUpperCase();
  const keyPassword = config['ssl.key.password'] || undefined;
  if (config['ssl.keystore.certificate.chain'] || config['ssl.keystore.key']) {
    if (!config['ssl.keystore.certificate.chain'] || !config['ssl.keystore.key'])
      throw new KafkaSecurityConfigError(
        'ssl.keystore.key',
        'ssl.keystore.certificate.chain and ssl.keystore.key must be set together',
      );
    tls.cert = pem('ssl.keystore.certificate.chain', config['ssl.keystore.certificate.chain']);
    tls.key = pem('ssl.keystore.key', config['ssl.keystore.key']);
  } else if (config['ssl.keystore.location']) {
    if (keyType === 'PEM') {
      const text = pem('ssl.keystore.location', readSetting(config, 'ssl.keystore.location'));
      tls.cert = text;
      tls.key = text;
    } else if (keyType === 'PKCS12') {
      tls.pfx = readSetting(config, 'ssl.keystore.location', true);
      tls.passphrase = config['ssl.keystore.password'] ?? keyPassword;
    } else {
      throw new KafkaSecurityConfigError(
        'ssl.keystore.location',
        `ssl.keystore.location ${config['ssl.keystore.location']} is a ${keyType} key store; use ssl.keystore.type=PKCS12 (keytool -importkeystore -deststoretype PKCS12 converts it) or PEM`,
      );
    }
  } else if (config['ssl.certificate.location']) {
    tls.cert = readSetting(config, 'ssl.certificate.location');
    if (config['ssl.key.location']) tls.key = readSetting(config, 'ssl.key.location');
  }
  if (keyPassword !== undefined && tls.pfx === undefined) tls.passphrase = keyPassword;
  return tls;
}

/**
 * PEM blocks rewritten in the canonical form OpenSSL reads. A properties value continued over lines
 * with `\` loses its line breaks (`-----BEGIN CERTIFICATE-----MIIC…`); the Java client accepts that,
 * so Sluice does too.
 */
export function pem(key: string, text: string): string {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) throw new KafkaSecurityConfigError(key, `${key} holds no PEM block (-----BEGIN …-----)`);
  return blocks
    .map(([block, label, body]) => {
      // a traditional encrypted key carries headers (Proc-Type: …): leave such a block as written
      if ((body ?? '').includes(':')) return `${block}\n`;
      const base64 = (body ?? '').replace(/\s+/g, '');
      return `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
    })
    .join('');
}

function saslOptions(config: WorkerConfig): SASLOptions {
  const mechanism = (config['sasl.mechanism'] ?? 'GSSAPI').trim().toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism))
    throw new KafkaSecurityConfigError(
      'sasl.mechanism',
      `Unsupported sasl.mechanism "${config['sasl.mechanism'] ?? 'GSSAPI (the default)'}": use ${MECHANISMS.join(', ')}`,
    );
  const jaas = config['sasl.jaas.config'] ?? '';
  const username = config['sasl.username'] ?? /username\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  const password = config['sasl.password'] ?? /password\s*=\s*"([^"]*)"/.exec(jaas)?.[1];
  if (username === undefined || password === undefined)
    throw new KafkaSecurityConfigError(
      'sasl.jaas.config',
      `sasl.mechanism ${mechanism} needs a user and password: set sasl.jaas.config (… required username="…" password="…";) or sasl.username and sasl.password`,
    );
  return { mechanism: mechanism.toLowerCase(), username, password } as SASLOptions;
}
