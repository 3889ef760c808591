import { ConfigValidationError, type ConfigFieldError } from '@sluice/core';
import type { ConfigInfos } from '../herder.js';
import { checkClientOverrides, type ClientOverridePolicy } from '../security/client-overrides.js';
import type { RouteContext } from './route-context.js';

/** The override policy the API enforces on every config it accepts or validates. */
export interface ClientOverrideOptions {
  policy: ClientOverridePolicy;
  /** Client keys (or `prefix*`) the `Allowlist` policy permits; default DEFAULT_CLIENT_OVERRIDE_ALLOWLIST. */
  allowlist?: readonly string[];
}

/**
 * Refuses `config` before it reaches the herder when it overrides client keys the policy forbids.
 * The 400 lists every error of the config, the herder's validation errors included, in Kafka
 * Connect's message format, so one round trip shows everything to fix. No-op without a policy.
 */
export async function enforceClientOverrides(ctx: RouteContext, config: Record<string, string>): Promise<void> {
  const refused = overrideErrors(ctx, config);
  if (refused.length === 0) return;
  let other: ConfigFieldError[] = [];
  try {
    const infos = await ctx.herder.validateConnectorConfig(config);
    other = infos.configs
      .map((c) => ({ name: c.value?.name ?? c.definition?.name ?? '', errors: c.value?.errors ?? [] }))
      .filter((c) => c.errors.length > 0);
  } catch {
    // The override errors alone still make the request invalid; the herder's own complaint can wait.
  }
  const fields = [...other, ...refused];
  const messages = fields.flatMap((f) => f.errors);
  const plugin = config['connector.class'] ?? '';
  throw new ConfigValidationError(
    `Connector configuration is invalid and contains the following ${messages.length} error(s):\n` +
      `${messages.join('\n')}\n` +
      `You can also find the above list of errors at the endpoint \`/connector-plugins/${plugin}/config/validate\``,
    fields,
  );
}

/** Adds the override errors to a validate answer (`error_count` recounted); unchanged when there are none. */
export function withOverrideErrors(ctx: RouteContext, infos: ConfigInfos, config: Record<string, string>): ConfigInfos {
  const refused = overrideErrors(ctx, config);
  if (refused.length === 0) return infos;
  const byKey = new Map(refused.map((f) => [f.name, f.errors]));
  const configs = infos.configs.map((entry) => {
    const extra = entry.value === null ? undefined : byKey.get(entry.value.name);
    if (entry.value === null || extra === undefined) return entry;
    byKey.delete(entry.value.name);
    return { ...entry, value: { ...entry.value, errors: [...entry.value.errors, ...extra] } };
  });
  for (const [name, errors] of byKey) {
    configs.push({
      definition: null,
      value: { name, value: config[name] ?? null, recommended_values: [], errors, visible: true },
    });
  }
  const errorCount = configs.reduce((n, c) => n + (c.value?.errors.length ?? 0), 0);
  return { ...infos, error_count: errorCount, configs };
}

function overrideErrors(ctx: RouteContext, config: Record<string, string>): ConfigFieldError[] {
  const options = ctx.clientOverrides;
  if (options === undefined) return [];
  return checkClientOverrides(config, options.policy, options.allowlist);
}
