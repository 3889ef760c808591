import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTestGate, startKafkaCluster, type KafkaCluster } from '../support/kafka-cluster.js';
import { waitFor } from '../support/worker-process.js';
import { SequencePipeline, WorkerCluster } from './cluster-support.js';

const gate = kafkaTestGate();

/**
 * Distributed workers against a broker that only lets them in through TLS and/or SASL: the worker
 * keys of Kafka Connect (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`,
 * `ssl.truststore.*`) reach every Kafka client the worker opens (internal topics, group membership,
 * source producers, sink consumers), and bad credentials or an untrusted certificate stop the worker
 * with a message that names the problem and never the password.
 */
describe.skipIf(gate.skip)('distributed mode on a TLS / SASL secured broker', () => {
  let kafka: KafkaCluster;
  const clusters: WorkerCluster[] = [];
  let n = 0;

  beforeAll(async () => {
    kafka = await startKafkaCluster({ brokers: 1, security: { users: { connect: 'c0nnect-s3cret' } } });
  }, 180_000);
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((c) => c.stopAll()));
  });
  afterAll(async () => {
    await kafka?.stop();
  });

  const secure = () => kafka.secure!;
  const jaas = (module: 'plain.PlainLoginModule' | 'scram.ScramLoginModule', password = 'c0nnect-s3cret') =>
    `org.apache.kafka.common.security.${module} required username="connect" password="${password}";`;

  async function pipelineThrough(
    settings: Record<string, string>,
    protocol: 'SASL_PLAINTEXT' | 'SASL_SSL' | 'SSL' | 'MTLS',
  ) {
    const group = `secure-${++n}`;
    const cluster = new WorkerCluster(secure().bootstrapServers[protocol].join(','), group, settings);
    clusters.push(cluster);
    await cluster.start(0);
    await cluster.healthy();
    const pipeline = new SequencePipeline(cluster.dir, `sec${n}`);
    pipeline.append(200);
    await pipeline.create(cluster.url(0));
    await waitFor(() => pipeline.values().length >= 200, 60_000, `200 records through ${protocol}`);
    pipeline.append(100);
    await waitFor(() => pipeline.values().length >= 300, 60_000, `300 records through ${protocol}`);
    expect(pipeline.values()).toEqual(Array.from({ length: 300 }, (_, i) => i));
  }

  /** Starts a worker that must fail; resolves to what it printed. */
  async function startFailure(
    protocol: 'SASL_SSL' | 'SSL' | 'MTLS',
    settings: Record<string, string>,
  ): Promise<string> {
    const cluster = new WorkerCluster(secure().bootstrapServers[protocol].join(','), `secure-${++n}`, settings);
    clusters.push(cluster);
    const error = await cluster.start(0).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(error).not.toBeNull();
    return error as string;
  }

  it('runs a source → topic → sink pipeline over SASL_SSL with SCRAM-SHA-512 and a PEM trust store', async () => {
    await pipelineThrough(
      {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.jaas.config': jaas('scram.ScramLoginModule'),
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': secure().caFile,
      },
      'SASL_SSL',
    );
  }, 120_000);

  it('runs it over SASL_PLAINTEXT with PLAIN', async () => {
    await pipelineThrough(
      {
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'PLAIN',
        'sasl.jaas.config': jaas('plain.PlainLoginModule'),
      },
      'SASL_PLAINTEXT',
    );
  }, 120_000);

  it('runs it over SSL with the certificate given inline (ssl.truststore.certificates)', async () => {
    await pipelineThrough(
      {
        'security.protocol': 'SSL',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.certificates': readFileSync(secure().caFile, 'utf8').replace(/\r?\n/g, '\\n'),
      },
      'SSL',
    );
  }, 120_000);

  it('runs it over SSL with a client certificate (PKCS12 key store) where the broker requires one', async () => {
    await pipelineThrough(
      {
        'security.protocol': 'SSL',
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': secure().caFile,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': secure().clientKeystore.file,
        'ssl.keystore.password': secure().clientKeystore.password,
      },
      'MTLS',
    );
  }, 120_000);

  it('refuses to start without a client certificate where the broker requires one', async () => {
    const error = await startFailure('MTLS', {
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': secure().caFile,
    });
    expect(error).toMatch(/exited early \(1\)/);
    const reason = /^sluice: (.*)$/m.exec(error)?.[1];
    process.stderr.write(`no client certificate: ${reason}\n`);
    expect(reason).toMatch(/Connecting to Kafka at 127\.0\.0\.1:\d+ failed: .*the broker refused the client certificate, or none was sent: check ssl\.keystore\.\*/);
  }, 120_000);

  it('refuses to start with a wrong SASL password, saying so without echoing it', async () => {
    const error = await startFailure('SASL_SSL', {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.jaas.config': jaas('scram.ScramLoginModule', 'not-the-Passw0rd'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': secure().caFile,
    });
    expect(error).toMatch(/exited early \(1\)/);
    // the last line the worker prints says what went wrong
    const reason = /^sluice: (.*)$/m.exec(error)?.[1];
    process.stderr.write(`wrong password: ${reason}\n`);
    expect(reason).toMatch(/SASL SCRAM-SHA-256 authentication failed|authentication failed/i);
    expect(error).not.toContain('not-the-Passw0rd');
  }, 120_000);

  it('refuses to start when the broker certificate is not trusted, naming the TLS failure', async () => {
    const error = await startFailure('SSL', {
      'security.protocol': 'SSL',
      // no trust store: the system CAs do not know the broker's self-signed certificate
    });
    expect(error).toMatch(/exited early \(1\)/);
    const reason = /^sluice: (.*)$/m.exec(error)?.[1];
    process.stderr.write(`untrusted certificate: ${reason}\n`);
    expect(reason).toMatch(/self[- ]signed certificate.*the broker's certificate is not trusted: set ssl\.truststore\.location/i);
  }, 120_000);

  it('refuses a JKS trust store with the command that converts it', async () => {
    const error = await startFailure('SSL', {
      'security.protocol': 'SSL',
      'ssl.truststore.location': '/etc/kafka/truststore.jks',
      'ssl.truststore.password': 'changeit',
    });
    expect(error).toMatch(
      /ssl\.truststore\.location \/etc\/kafka\/truststore\.jks is a JKS trust store.*keytool -exportcert -rfc/,
    );
  }, 60_000);
});
