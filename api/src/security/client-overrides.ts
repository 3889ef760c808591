import type { ConfigFieldError } from '@sluice/core';

/**
 * `connector.client.config.override.policy`: which `producer.override.*`, `consumer.override.*`
 * and `admin.override.*` keys a connector config may set.
 * - `None`: no overrides at all;
 * - `Principal`: only the client identity (`sasl.jaas.config`, `sasl.mechanism`, `security.protocol`);
 * - `Allowlist` (Sluice's default, KIP-1188): only the keys in the allowlist;
 * - `All`: anything (Kafka Connect's default; lets a REST caller change credentials and destinations).
 */
export type ClientOverridePolicy = 'None' | 'Principal' | 'Allowlist' | 'All';

/** Sluice's default policy: tuning keys only, never credentials, destinations or class names. */
export const DEFAULT_CLIENT_OVERRIDE_POLICY: ClientOverridePolicy = 'Allowlist';

/** The allowlist used when none is configured: performance and delivery tuning, nothing security-related. */
export const DEFAULT_CLIENT_OVERRIDE_ALLOWLIST: readonly string[] = [
  'acks',
  'batch.size',
  'buffer.memory',
  'client.id',
  'compression.type',
  'delivery.timeout.ms',
  'enable.idempotence',
  'linger.ms',
  'max.block.ms',
  'max.in.flight.requests.per.connection',
  'max.request.size',
  'request.timeout.ms',
  'retries',
  'retry.backoff.ms',
  'auto.offset.reset',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'fetch.min.bytes',
  'heartbeat.interval.ms',
  'isolation.level',
  'max.partition.fetch.bytes',
  'max.poll.interval.ms',
  'max.poll.records',
  'session.timeout.ms',
  'default.api.timeout.ms',
];

const PRINCIPAL_KEYS: readonly string[] = ['sasl.jaas.config', 'sasl.mechanism', 'security.protocol'];
const PREFIXES = ['producer.override.', 'consumer.override.', 'admin.override.'] as const;

/**
 * Keys that change who the client is, where it connects, which files it reads or which classes it
 * loads: each is a known attack path (CVE-2023-25194, CVE-2025-27817/27818). Refused by every
 * policy but `All`, even when an allowlist names them only by a wildcard.
 */
export function isDangerousClientKey(key: string): boolean {
  return (
    key === 'bootstrap.servers' ||
    key === 'security.protocol' ||
    key.startsWith('sasl.') ||
    (key.startsWith('ssl.') && (key.endsWith('.location') || key.endsWith('.password') || key.endsWith('.key') || key.endsWith('.certificates') || key.endsWith('.chain'))) ||
    key.endsWith('.class') ||
    key.endsWith('.classes') ||
    key === 'metric.reporters' ||
    key === 'interceptor.classes' ||
    key === 'client.dns.lookup'
  );
}

/** JAAS login modules that reach out to the network on login; refused under every policy. */
const BLOCKED_LOGIN_MODULES = ['com.sun.security.auth.module.JndiLoginModule', 'com.sun.security.auth.module.LdapLoginModule'];

/**
 * Checks the client overrides in `config` against `policy`. Returns one entry per refused key
 * (empty when all are allowed), each message naming the policy and the key — never the value.
 * `allowlist` entries are client keys (`linger.ms`) or prefixes ending in `*` (`ssl.*`); it is
 * consulted only by `Allowlist`. Pure; does not mutate its input.
 */
export function checkClientOverrides(
  config: Readonly<Record<string, string>>,
  policy: ClientOverridePolicy = DEFAULT_CLIENT_OVERRIDE_POLICY,
  allowlist: readonly string[] = DEFAULT_CLIENT_OVERRIDE_ALLOWLIST,
): ConfigFieldError[] {
  const errors: ConfigFieldError[] = [];
  for (const [key, value] of Object.entries(config)) {
    const prefix = PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined) continue;
    const clientKey = key.slice(prefix.length);
    const problems: string[] = [];
    if (!allowedBy(policy, clientKey, allowlist)) {
      problems.push(
        `The '${policy}' policy does not allow '${key}' to be overridden in the connector configuration.` +
          (isDangerousClientKey(clientKey)
            ? ' It changes the client\'s credentials, destination or loaded code; only the All policy permits it.'
            : ''),
      );
    }
    if (clientKey === 'sasl.jaas.config' && BLOCKED_LOGIN_MODULES.some((m) => value.includes(m))) {
      problems.push(`'${key}' names a JAAS login module that is not allowed (JNDI/LDAP login modules are blocked).`);
    }
    if (problems.length > 0) errors.push({ name: key, errors: problems });
  }
  return errors;
}

function allowedBy(policy: ClientOverridePolicy, clientKey: string, allowlist: readonly string[]): boolean {
  switch (policy) {
    case 'All':
      return true;
    case 'None':
      return false;
    case 'Principal':
      return PRINCIPAL_KEYS.includes(clientKey);
    case 'Allowlist':
      return allowlist.some((entry) =>
        entry.endsWith('*')
          ? clientKey.startsWith(entry.slice(0, -1)) && !isDangerousClientKey(clientKey)
          : entry === clientKey,
      );
  }
}
