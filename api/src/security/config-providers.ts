import type { ConfigFieldError } from '@sluice/core';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Where config provider references may read from. */
export interface ConfigProviderOptions {
  /**
   * Directories `${file:…}` and `${dir:…}` may read below (checked after resolving `..` and
   * symlinks). Empty: both providers are refused, so no REST caller can read worker files.
   */
  allowedPaths: readonly string[];
  /** Variables `${env:NAME}` may read; pass a filtered copy of `process.env` to restrict them. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Result of {@link resolveConfigProviders}. */
export interface ResolvedConfig {
  /** The config with every resolvable reference replaced; unresolvable ones are left as written. */
  config: Record<string, string>;
  /** One entry per key whose references could not be resolved, naming the reason (never a value). */
  errors: ConfigFieldError[];
  /** Keys whose values now hold provider output: treat them as secrets (mask in logs and answers). */
  resolvedKeys: string[];
}

/** `${provider:path:key}` or `${provider:key}`, as Kafka Connect's ConfigTransformer matches them. */
const REFERENCE = /\$\{([^}:]*?):(?:([^}]*?):)?([^}]*?)\}/g;

/**
 * Replaces config provider references in `config` (not mutated) with their values:
 * - `${env:NAME}` — the environment variable NAME (from `options.env`);
 * - `${file:/abs/path.properties:key}` — `key` of a Java properties file;
 * - `${dir:/abs/dir:file}` — the whole content of `file` in that directory.
 * Configs are stored with references unresolved; the worker calls this only when it starts a
 * connector or task, so resolved secrets never reach the config topic or a REST answer. Files
 * must lie under `options.allowedPaths`. Reads files asynchronously; never throws for a bad
 * reference (it is reported in `errors`). Unknown provider names are reported too.
 */
export async function resolveConfigProviders(
  config: Readonly<Record<string, string>>,
  options: ConfigProviderOptions,
): Promise<ResolvedConfig> {
  const allowed = await Promise.all(options.allowedPaths.map((p) => realpath(path.resolve(p)).catch(() => null)));
  const roots = allowed.filter((p): p is string => p !== null);
  const files = new Map<string, Promise<Record<string, string>>>();
  const out: Record<string, string> = {};
  const errors: ConfigFieldError[] = [];
  const resolvedKeys: string[] = [];

  for (const [key, value] of Object.entries(config)) {
    const problems: string[] = [];
    let replaced = false;
    const parts: string[] = [];
    let last = 0;
    for (const match of value.matchAll(REFERENCE)) {
      const [whole, provider = '', location, name = ''] = match;
      parts.push(value.slice(last, match.index));
      last = match.index + whole.length;
      try {
        parts.push(await lookup(provider, location, name, options, roots, files));
        replaced = true;
      } catch (err) {
        problems.push((err as Error).message);
        parts.push(whole);
      }
    }
    parts.push(value.slice(last));
    out[key] = parts.join('');
    if (problems.length > 0) errors.push({ name: key, errors: problems });
    if (replaced) resolvedKeys.push(key);
  }
  return { config: out, errors, resolvedKeys };
}

async function lookup(
  provider: string,
  location: string | undefined,
  name: string,
  options: ConfigProviderOptions,
  roots: readonly string[],
  files: Map<string, Promise<Record<string, string>>>,
): Promise<string> {
  switch (provider) {
    case 'env': {
      if (location !== undefined && location !== '') throw new Error('${env:NAME} takes no path');
      const value = Object.hasOwn(options.env, name) ? options.env[name] : undefined;
      if (value === undefined) throw new Error(`Environment variable '${name}' is not set or not allowed`);
      return value;
    }
    case 'file': {
      const file = await allowedFile(location ?? '', roots, 'file');
      let properties = files.get(file);
      if (properties === undefined) {
        properties = readFile(file, 'utf8').then(parseProperties);
        files.set(file, properties);
      }
      const props = await properties.catch((err: NodeJS.ErrnoException) => {
        throw new Error(`Cannot read properties file '${location}': ${err.code ?? err.message}`);
      });
      const value = Object.hasOwn(props, name) ? props[name] : undefined;
      if (value === undefined) throw new Error(`Key '${name}' not found in '${location}'`);
      return value;
    }
    case 'dir': {
      if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
        throw new Error(`'${name}' is not a file name`);
      }
      const dir = await allowedFile(location ?? '', roots, 'dir');
      const file = await allowedFile(path.join(dir, name), roots, 'dir');
      return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new Error(`Cannot read '${name}' in '${location}': ${err.code ?? err.message}`);
      });
    }
    default:
      throw new Error(`Unknown config provider '${provider}'; use env, file or dir`);
  }
}

/** The real path of `location` if it is absolute and lies under an allowed root. */
async function allowedFile(location: string, roots: readonly string[], provider: string): Promise<string> {
  if (roots.length === 0) {
    throw new Error(`The ${provider} config provider is disabled: no allowed paths are configured`);
  }
  if (!path.isAbsolute(location)) throw new Error(`${provider} provider path '${location}' must be absolute`);
  let real: string;
  try {
    real = await realpath(location);
  } catch (err) {
    // A missing file is reported as such only when it would be allowed, so callers cannot probe.
    if (!roots.some((root) => within(path.resolve(location), root))) throw notAllowed(provider, location);
    throw new Error(`Cannot read '${location}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!roots.some((root) => within(real, root))) throw notAllowed(provider, location);
  return real;
}

function notAllowed(provider: string, location: string): Error {
  return new Error(`${provider} provider path '${location}' is outside the allowed paths`);
}

function within(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Java `.properties` text: `key=value` / `key: value` / `key value`, `#`/`!` comments, `\` continuations. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^\s+/, '');
    }
    const match = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$/.exec(line);
    if (match === null) continue;
    out[unescape(match[1] ?? '')] = unescape(match[2] ?? '');
  }
  return out;
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c;
  });
}
