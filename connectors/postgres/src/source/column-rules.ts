import { createHash, getHashes } from 'node:crypto';
import type { ConfigFieldError } from '@sluice/core';
import { characterLength, type ColumnDefinition } from '../types/pg-type.js';
import { compileWholeMatch, parseTableRules } from './table-filter.js';

/**
 * Per-column rules that Debezium configures outside the fixed key set:
 *
 * - `message.key.columns`: `<schema.table regex>:<column>,<column>;…` replaces a table's event key
 *   (its primary key or replica identity) with the listed columns.
 * - `column.mask.with.<n>.chars`, `column.truncate.to.<n>.chars`,
 *   `column.mask.hash.[v2.]<algorithm>.with.salt.<salt>`: comma-separated regular expressions over
 *   `schema.table.column`; character columns matching one are replaced by `n` asterisks, cut to `n`
 *   characters, or replaced by the hex digest of salt + value (cut to the column's declared length),
 *   the value as UTF-8 (v2) or Java-serialized (v1), so the digests equal Debezium's.
 *
 * All regular expressions match the whole identifier, case-insensitively, as the include lists do.
 */

/** A value rewrite applied to a converted string value. */
export type ValueRewrite = (value: string) => string;

interface MaskRule {
  readonly key: string;
  readonly patterns: readonly RegExp[];
  readonly rewrite: (column: ColumnDefinition) => ValueRewrite;
}

interface KeyRule {
  readonly table: RegExp;
  readonly columns: readonly string[];
}

const MASK_WITH = /^column\.mask\.with\.(\d+)\.chars$/;
const TRUNCATE_TO = /^column\.truncate\.to\.(\d+)\.chars$/;
const MASK_HASH = /^column\.mask\.hash\.(v2\.)?(.+?)\.with\.salt\.(.*)$/;

/** The types whose values are masked; others pass through unchanged, as in Debezium. */
const CHARACTER_TYPES = new Set(['text', 'varchar', 'bpchar', 'char', 'name', 'citext']);

/** Node's name for a Java `MessageDigest` algorithm name (`SHA-256` → `sha256`, `SHA-512/256` → `sha512-256`). */
function nodeAlgorithm(name: string): string | null {
  const n = name.toLowerCase().replace(/\//g, '-');
  const candidates = [n, n.replace(/^sha-/, 'sha')];
  const known = new Set(getHashes());
  return candidates.find((c) => known.has(c)) ?? null;
}

/** Parsed column rules; immutable. */
export class ColumnRules {
  static readonly NONE = new ColumnRules([], []);

  private constructor(
    private readonly masks: readonly MaskRule[],
    private readonly keys: readonly KeyRule[],
  ) {}

  /**
   * Reads the rules from a wire config.
   * @returns the rules, or the errors naming each bad key
   */
  static parse(config: Readonly<Record<string, unknown>>): { rules: ColumnRules; errors: ConfigFieldError[] } {
    const errors: ConfigFieldError[] = [];
    const masks: MaskRule[] = [];
    const patternsOf = (key: string, value: unknown): RegExp[] | null => {
      const list = (Array.isArray(value) ? value.map(String) : String(value ?? '').split(','))
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (list.length === 0) {
        errors.push({
          name: key,
          errors: [`${key} needs a comma-separated list of schema.table.column regular expressions`],
        });
        return null;
      }
      try {
        return list.map(compileWholeMatch);
      } catch (err) {
        errors.push({
          name: key,
          errors: [`Invalid value for ${key}: not a valid regular expression (${(err as Error).message})`],
        });
        return null;
      }
    };
    for (const [key, value] of Object.entries(config)) {
      let m: RegExpMatchArray | null;
      if ((m = MASK_WITH.exec(key)) !== null) {
        const stars = '*'.repeat(Number(m[1]));
        const patterns = patternsOf(key, value);
        if (patterns !== null) masks.push({ key, patterns, rewrite: () => () => stars });
      } else if ((m = TRUNCATE_TO.exec(key)) !== null) {
        const length = Number(m[1]);
        const patterns = patternsOf(key, value);
        if (patterns !== null) masks.push({ key, patterns, rewrite: () => (v) => [...v].slice(0, length).join('') });
      } else if ((m = MASK_HASH.exec(key)) !== null) {
        const v2 = m[1] !== undefined;
        const algorithm = nodeAlgorithm(m[2] as string);
        const salt = Buffer.from(m[3] as string, 'utf8');
        if (algorithm === null) {
          errors.push({
            name: key,
            errors: [`${key}: unknown hash algorithm "${m[2]}" (use e.g. SHA-256, SHA-512, MD5)`],
          });
          continue;
        }
        const patterns = patternsOf(key, value);
        if (patterns === null) continue;
        masks.push({
          key,
          patterns,
          rewrite: (column) => {
            const length = characterLength(column.typeModifier, column.type.name);
            return (v) => {
              const hex = createHash(algorithm)
                .update(salt)
                .update(v2 ? Buffer.from(v, 'utf8') : javaSerializedString(v))
                .digest('hex');
              return length !== null && length > 0 ? hex.slice(0, length) : hex;
            };
          },
        });
      }
    }
    const keys = parseMessageKeyColumns(config['message.key.columns'], errors);
    return { rules: new ColumnRules(masks, keys), errors };
  }

  /** Whether any rule is configured. */
  get empty(): boolean {
    return this.masks.length === 0 && this.keys.length === 0;
  }

  /**
   * The rewrite for one column, or null when no rule applies. The first matching rule wins, in config
   * order. Only character types are rewritten.
   */
  rewriteFor(schema: string, table: string, column: ColumnDefinition): ValueRewrite | null {
    if (!CHARACTER_TYPES.has(column.type.name)) return null;
    const id = `${schema}.${table}.${column.name}`;
    const rule = this.masks.find((r) => r.patterns.some((p) => p.test(id)));
    return rule === undefined ? null : rule.rewrite(column);
  }

  /** The `message.key.columns` of a table, or null to keep its primary key / replica identity. */
  messageKeyColumns(schema: string, table: string): readonly string[] | null {
    const id = `${schema}.${table}`;
    return this.keys.find((k) => k.table.test(id))?.columns ?? null;
  }
}

/**
 * A string as Java's object serialization writes it (stream header, TC_STRING or TC_LONGSTRING, the
 * length, then modified UTF-8): the bytes Debezium's v1 hashing digests after the salt.
 */
export function javaSerializedString(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const u = value.charCodeAt(i); // UTF-16 units: a surrogate pair becomes two 3-byte sequences
    if (u >= 0x01 && u <= 0x7f) bytes.push(u);
    else if (u <= 0x7ff) bytes.push(0xc0 | (u >> 6), 0x80 | (u & 0x3f));
    else bytes.push(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
  }
  const body = Buffer.from(bytes);
  const header = Buffer.from([0xac, 0xed, 0x00, 0x05]);
  if (body.length < 0x10000) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(body.length);
    return Buffer.concat([header, Buffer.from([0x74]), length, body]);
  }
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(body.length));
  return Buffer.concat([header, Buffer.from([0x7c]), length, body]);
}

/** `<table regex>:<col>,<col>;<table regex>:<col>` (Debezium's format). */
function parseMessageKeyColumns(value: unknown, errors: ConfigFieldError[]): KeyRule[] {
  const text = typeof value === 'string' ? value : '';
  const columns = (list: string): string[] | null => {
    const names = list
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c.length > 0);
    return names.length > 0 ? names : null;
  };
  return parseTableRules(
    text,
    ';',
    'message.key.columns',
    '<schema>.<table>:<column>[,<column>…]',
    columns,
    errors,
  ).map((r) => ({
    table: compileWholeMatch(r.table),
    columns: r.value,
  }));
}
