/** Maps a change event's namespace to a topic name. Returns '' when no topic can be derived. */
export type TopicMapper = (database: string, collection: string) => string;

/** The official connector's topic settings. */
export interface TopicMapperSettings {
  readonly prefix: string;
  readonly suffix: string;
  readonly separator: string;
  /** JSON object text (`topic.namespace.map`); '' for none */
  readonly namespaceMap: string;
}

const VARIABLES = new Set(['db', 'sep', 'coll', 'sep_coll', 'coll_sep', 'sep_coll_sep']);

/**
 * Compiles the official connector's `topic.namespace.map` rules: exact `db.coll` pairs first, then
 * `db` pairs (template + separator + collection), then `/regex` pairs in order (templates expand
 * `{db}`, `{sep}`, `{coll}`, `{sep_coll}`, `{coll_sep}`, `{sep_coll_sep}`), then `*`; unmatched
 * namespaces use `db` + separator + `coll`. Prefix and suffix decorate every result. Duplicate
 * patterns keep the first position and the last template; empty templates are ignored. Reports
 * problems through `onError` and still returns a usable mapper (the default rules).
 */
export function compileTopicMapper(settings: TopicMapperSettings, onError: (message: string) => void): TopicMapper {
  const { separator } = settings;
  const prefix = settings.prefix === '' ? '' : settings.prefix + separator;
  const suffix = settings.suffix === '' ? '' : separator + settings.suffix;
  const simple = new Map<string, string>();
  const regexes: { pattern: RegExp; template: string }[] = [];
  let wildcard: string | null = null;

  const pairs = parseMap(settings.namespaceMap, onError);
  for (const [pattern, template] of pairs) {
    if (template === '') continue;
    if (pattern === '*') {
      wildcard = template;
    } else if (pattern.startsWith('/')) {
      const bad = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '').filter((v) => !VARIABLES.has(v));
      if (bad.length > 0) onError(`unknown variable {${bad[0]}} in topic template "${template}"`);
      try {
        regexes.push({ pattern: new RegExp(`^(?:${pattern.slice(1)})$`), template });
      } catch {
        onError(`"${pattern}" is not a valid regular expression`);
      }
    } else if (pattern.includes('/')) {
      onError(`'/' is not allowed in a simple namespace pattern ("${pattern}")`);
    } else {
      simple.set(pattern, template);
    }
  }

  const cache = new Map<string, string>();
  return (database, collection) => {
    if (database === '') return '';
    const ns = collection === '' ? database : `${database}.${collection}`;
    let topic = cache.get(ns);
    if (topic === undefined) {
      topic = prefix + undecorated(database, collection, ns) + suffix;
      cache.set(ns, topic);
    }
    return topic;
  };

  function undecorated(database: string, collection: string, ns: string): string {
    const exact = simple.get(ns);
    if (exact !== undefined) return exact;
    const byDb = simple.get(database);
    if (byDb !== undefined) return collection === '' ? byDb : byDb + separator + collection;
    for (const { pattern, template } of regexes) {
      if (pattern.test(ns)) return expand(template, database, collection);
    }
    if (wildcard !== null) return wildcard;
    return collection === '' ? database : database + separator + collection;
  }

  function expand(template: string, database: string, collection: string): string {
    const values: Record<string, string> = {
      db: database,
      sep: separator,
      coll: collection,
      sep_coll: collection === '' ? '' : separator + collection,
      coll_sep: collection === '' ? '' : collection + separator,
      sep_coll_sep: collection === '' ? '' : separator + collection + separator,
    };
    return template.replace(/\{([^}]*)\}/g, (_, name: string) => values[name] ?? '');
  }
}

// Ordered, deduplicated (first position, last value) pairs of a JSON object text.
function parseMap(text: string, onError: (message: string) => void): [string, string][] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    onError('must be a JSON object of namespace patterns to topic names');
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    onError('must be a JSON object of namespace patterns to topic names');
    return [];
  }
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') {
      onError('all values must be strings');
      return [];
    }
    out.push([k, v]);
  }
  return out;
}
