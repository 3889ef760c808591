import type { ConfigFieldError } from '@sluice/core';

/**
 * Debezium's include/exclude list semantics: each regular expression must match the whole identifier
 * (`schema`, `schema.table` or `schema.table.column`), case-insensitively. An empty include list
 * includes everything; include and exclude lists of one kind are mutually exclusive (checked by the
 * config).
 */
export interface CaptureFilterLists {
  readonly schemaInclude: readonly string[];
  readonly schemaExclude: readonly string[];
  readonly tableInclude: readonly string[];
  readonly tableExclude: readonly string[];
  readonly columnInclude: readonly string[];
  readonly columnExclude: readonly string[];
}

/** Schemas never captured: PostgreSQL's own. */
const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

/**
 * Reads Debezium's per-table rules, `<schema.table regex>:<value>` entries separated by `separator`
 * (the table part ends at the last colon). `parse` turns a value into the rule's payload, or null when
 * it is invalid; every bad entry is reported on `key` with `expected` as the accepted form.
 */
export function parseTableRules<T>(
  text: string,
  separator: string,
  key: string,
  expected: string,
  parse: (value: string) => T | null,
  errors: ConfigFieldError[],
): { table: string; value: T }[] {
  const rules: { table: string; value: T }[] = [];
  for (const entry of text
    .split(separator)
    .map((e) => e.trim())
    .filter((e) => e.length > 0)) {
    const colon = entry.lastIndexOf(':');
    const table = colon < 0 ? '' : entry.slice(0, colon).trim();
    const value = colon < 0 ? null : parse(entry.slice(colon + 1).trim());
    if (table === '' || value === null) {
      errors.push({ name: key, errors: [`Invalid entry "${entry}" in ${key}: expected ${expected}`] });
      continue;
    }
    try {
      compileWholeMatch(table);
      rules.push({ table, value });
    } catch (err) {
      errors.push({ name: key, errors: [`Invalid table expression "${table}" in ${key} (${(err as Error).message})`] });
    }
  }
  return rules;
}

/** Compiles one list entry; throws SyntaxError for an invalid expression. */
export function compileWholeMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'i');
}

/** Decides which tables and columns are captured. Immutable. */
export class CaptureFilter {
  private readonly schemaInclude: RegExp[];
  private readonly schemaExclude: RegExp[];
  private readonly tableInclude: RegExp[];
  private readonly tableExclude: RegExp[];
  private readonly columnInclude: RegExp[];
  private readonly columnExclude: RegExp[];

  /** @throws SyntaxError when a list holds an invalid regular expression */
  constructor(lists: CaptureFilterLists) {
    this.schemaInclude = lists.schemaInclude.map(compileWholeMatch);
    this.schemaExclude = lists.schemaExclude.map(compileWholeMatch);
    this.tableInclude = lists.tableInclude.map(compileWholeMatch);
    this.tableExclude = lists.tableExclude.map(compileWholeMatch);
    this.columnInclude = lists.columnInclude.map(compileWholeMatch);
    this.columnExclude = lists.columnExclude.map(compileWholeMatch);
  }

  /** Whether `schema.table` is captured. System schemas never are. */
  includesTable(schema: string, table: string): boolean {
    if (SYSTEM_SCHEMAS.has(schema) || schema.startsWith('pg_temp_') || schema.startsWith('pg_toast_temp_'))
      return false;
    if (this.schemaInclude.length > 0 && !this.schemaInclude.some((r) => r.test(schema))) return false;
    if (this.schemaExclude.some((r) => r.test(schema))) return false;
    const id = `${schema}.${table}`;
    if (this.tableInclude.length > 0 && !this.tableInclude.some((r) => r.test(id))) return false;
    return !this.tableExclude.some((r) => r.test(id));
  }

  /** Whether `schema.table.column` appears in events. */
  includesColumn(schema: string, table: string, column: string): boolean {
    const id = `${schema}.${table}.${column}`;
    if (this.columnInclude.length > 0 && !this.columnInclude.some((r) => r.test(id))) return false;
    return !this.columnExclude.some((r) => r.test(id));
  }
}
