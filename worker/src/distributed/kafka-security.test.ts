import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KafkaSecurityConfigError, kafkaSecurity, pem } from './kafka-security.js';

const CERT_BODY = 'MIIBszCCAVmgAwIBAgIUQ'.repeat(8);
const CERT = `-----BEGIN CERTIFICATE-----\n${CERT_BODY.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
const dir = mkdtempSync(path.join(tmpdir(), 'kafka-security-'));
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, CERT);

const failure = (config: Record<string, string>): KafkaSecurityConfigError => {
  try {
    kafkaSecurity(config);
  } catch (err) {
    if (err instanceof KafkaSecurityConfigError) return err;
    throw err;
  }
  throw new Error('expected a KafkaSecurityConfigError');
};

describe('kafkaSecurity (worker security keys → kafkajs)', () => {
  it('uses nothing for PLAINTEXT and rejects unknown protocols', () => {
    expect(kafkaSecurity({})).toEqual({});
    expect(kafkaSecurity({ 'security.protocol': 'plaintext' })).toEqual({});
    expect(failure({ 'security.protocol': 'TLS' }).key).toBe('security.protocol');
  });

  it('reads SASL users from sasl.jaas.config (PLAIN, SCRAM) or sasl.username/password', () => {
    const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username = "app" password="p=w;d";';
    expect(
      kafkaSecurity({
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.jaas.config': jaas,
      }),
    ).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'p=w;d' },
    });
    expect(
      kafkaSecurity({
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'plain',
        'sasl.username': 'u',
        'sasl.password': 'p',
      }).sasl,
    ).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
    // Kafka's default mechanism is GSSAPI (Kerberos), which kafkajs does not offer
    expect(failure({ 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': jaas }).message).toMatch(
      /Unsupported sasl.mechanism "GSSAPI \(the default\)"/,
    );
    expect(failure({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER' }).key).toBe('sasl.mechanism');
    const missing = failure({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN' });
    expect(missing.key).toBe('sasl.jaas.config');
  });

  it('verifies the chain always; an empty ssl.endpoint.identification.algorithm only skips host name checks', () => {
    const strict = kafkaSecurity({ 'security.protocol': 'SSL' }).ssl as Record<string, unknown>;
    expect(strict['rejectUnauthorized']).toBe(true);
    expect(strict['checkServerIdentity']).toBeUndefined();
    const relaxed = kafkaSecurity({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' })
      .ssl as Record<string, unknown>;
    expect(relaxed['rejectUnauthorized']).toBe(true);
    expect(typeof relaxed['checkServerIdentity']).toBe('function');
  });

  it('takes PEM trust stores as files, inline, or as librdkafka ssl.ca.location', () => {
    const ca = (config: Record<string, string>) =>
      (kafkaSecurity({ 'security.protocol': 'SSL', ...config }).ssl as { ca: string[] }).ca;
    expect(ca({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': caFile })).toEqual([CERT]);
    expect(ca({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CERT })).toEqual([CERT]);
    expect(ca({ 'ssl.ca.location': caFile })).toEqual([CERT]);
    // a properties value continued with backslashes arrives without line breaks
    expect(ca({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': CERT.replace(/\n/g, '') })).toEqual([
      CERT,
    ]);
  });

  it('refuses JKS/PKCS12 trust stores and JKS key stores with the conversion to use', () => {
    const jks = failure({ 'security.protocol': 'SSL', 'ssl.truststore.location': '/x/truststore.jks' });
    expect(jks.key).toBe('ssl.truststore.location');
    expect(jks.message).toMatch(/is a JKS trust store.*keytool -exportcert -rfc/);
    expect(
      failure({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': '/x/t.p12' })
        .message,
    ).toMatch(/PKCS12 trust store/);
    expect(failure({ 'security.protocol': 'SSL', 'ssl.keystore.location': '/x/k.jks' }).message).toMatch(
      /JKS key store; use ssl.keystore.type=PKCS12/,
    );
  });

  it('names the key of an unreadable file or a value without PEM', () => {
    const unreadable = failure({
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': path.join(dir, 'nope.pem'),
    });
    expect(unreadable.key).toBe('ssl.truststore.location');
    expect(unreadable.message).toMatch(/Cannot read ssl.truststore.location .*nope.pem/);
    expect(() => pem('ssl.truststore.certificates', 'not a certificate')).toThrow(
      /ssl.truststore.certificates holds no PEM block/,
    );
  });

  it('takes client certificates as PEM (file or inline), PKCS12, or librdkafka locations', () => {
    const keyPem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const both = path.join(dir, 'client.pem');
    writeFileSync(both, CERT + keyPem);
    const ssl = (config: Record<string, string>) =>
      kafkaSecurity({ 'security.protocol': 'SSL', ...config }).ssl as Record<string, unknown>;
    expect(ssl({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': both })).toMatchObject({
      cert: CERT + keyPem,
      key: CERT + keyPem,
    });
    expect(
      ssl({ 'ssl.keystore.certificate.chain': CERT, 'ssl.keystore.key': keyPem, 'ssl.key.password': 'k' }),
    ).toMatchObject({ cert: CERT, key: keyPem, passphrase: 'k' });
    expect(failure({ 'security.protocol': 'SSL', 'ssl.keystore.key': keyPem }).message).toMatch(/must be set together/);
    const p12 = path.join(dir, 'client.p12');
    writeFileSync(p12, Buffer.from([1, 2, 3]));
    expect(
      ssl({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': p12, 'ssl.keystore.password': 'sp' }),
    ).toMatchObject({ pfx: Buffer.from([1, 2, 3]), passphrase: 'sp' });
    expect(ssl({ 'ssl.certificate.location': caFile, 'ssl.key.location': caFile })).toMatchObject({
      cert: CERT,
      key: CERT,
    });
  });
});
