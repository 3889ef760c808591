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
