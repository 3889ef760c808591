import type { ConfigSchema } from '../config/config-schema.js';

/** Version reported by the converters that ship with core (the `@sluice/core` package version). */
export const BUILTIN_PLUGIN_VERSION = '0.1.0';

/** Config schema of a plugin without settings (a fresh object each call: callers may extend it). */
export function noSettingsSchema(): ConfigSchema {
  return { type: 'object', properties: {} };
}
