import { ConfigValidationError, ConnectError, RetriableError, type Logger } from '@sluice/core';
import type pg from 'pg';
import { quoteIdent, wrapPgError } from '../connection/pg-connection.js';
import { parseLsn, type Lsn } from '../replication/lsn.js';
import type { TableInfo } from './catalog.js';
import type { PublicationAutocreateMode } from './postgres-source-config.js';

/** What `pg_replication_slots` says about a slot. */
export interface SlotInfo {
  readonly plugin: string | null;
  readonly slotType: string;
  readonly database: string | null;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly confirmedFlushLsn: Lsn | null;
  readonly restartLsn: Lsn | null;
  /** `reserved` | `extended` | `unreserved` | `lost` (PostgreSQL 13+), null when unknown */
  readonly walStatus: string | null;
}

/** Reads a slot's state; null when it does not exist. */
export async function readSlot(client: pg.Client, slotName: string): Promise<SlotInfo | null> {
  let result: pg.QueryResult;
  try {
    result = await client.query(
      `SELECT plugin, slot_type, database, active, active_pid, confirmed_flush_lsn::text AS confirmed, restart_lsn::text AS restart, wal_status
         FROM pg_replication_slots WHERE slot_name = $1`,
      [slotName],
    );
  } catch (err) {
    throw wrapPgError(err, `Could not read replication slot "${slotName}"`);
  }
  const row = result.rows[0] as Record<string, unknown> | undefined;
  if (row === undefined) return null;
  return {
    plugin: (row['plugin'] as string | null) ?? null,
    slotType: String(row['slot_type']),
    database: (row['database'] as string | null) ?? null,
    active: row['active'] === true,
    activePid: row['active_pid'] === null ? null : Number(row['active_pid']),
    confirmedFlushLsn: row['confirmed'] === null ? null : parseLsn(String(row['confirmed'])),
    restartLsn: row['restart'] === null ? null : parseLsn(String(row['restart'])),
    walStatus: (row['wal_status'] as string | null) ?? null,
  };
}

/**
 * Waits (bounded) until no other connection streams from the slot — after a crash or a rebalance the
 * previous task's walsender can take a moment to exit — and checks the slot fits this connector.
 * @throws RetriableError when the slot is still in use after `timeoutMs`; ConnectError when it is a
 *   physical slot, uses another plugin or belongs to another database.
 */
export async function awaitUsableSlot(
  client: pg.Client,
  slotName: string,
  database: string,
  timeoutMs: number,
): Promise<SlotInfo | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const slot = await readSlot(client, slotName);
    if (slot === null) return null;
    if (slot.slotType !== 'logical' || slot.plugin !== 'pgoutput') {
      throw new ConnectError(
        `Replication slot "${slotName}" exists but is a ${slot.slotType} slot using plugin ${String(slot.plugin)}; this connector needs a logical pgoutput slot. Choose another slot.name.`,
      );
    }
    if (slot.database !== database) {
      throw new ConnectError(
        `Replication slot "${slotName}" belongs to database "${String(slot.database)}", not "${database}". Slots are per database: choose another slot.name.`,
      );
    }
    if (!slot.active) return slot;
    if (Date.now() >= deadline) {
      throw new RetriableError(
        `Replication slot "${slotName}" is in use by another connection (pid ${String(slot.activePid)}). Only one connector task may stream from a slot.`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Result of CREATE_REPLICATION_SLOT. */
export interface CreatedSlot {
  readonly consistentPoint: Lsn;
  /** the exported snapshot, valid until the replication connection runs its next command */
  readonly snapshotName: string | null;
}

/** Creates a pgoutput slot on a replication connection, exporting its snapshot when asked. */
export async function createSlot(
  replicationClient: pg.Client,
  slotName: string,
  exportSnapshot: boolean,
): Promise<CreatedSlot> {
  try {
    const result = await replicationClient.query(
      `CREATE_REPLICATION_SLOT ${quoteIdent(slotName)} LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
    );
    const row = result.rows[0] as { consistent_point: string; snapshot_name: string | null };
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: exportSnapshot ? row.snapshot_name : null };
  } catch (err) {
    throw wrapPgError(
      err,
      `Could not create replication slot "${slotName}" (the user needs the REPLICATION attribute)`,
    );
  }
}

/** Drops a slot that can no longer be used (only for `when_needed` recovery of a lost slot). */
export async function dropSlot(client: pg.Client, slotName: string): Promise<void> {
  try {
    await client.query('SELECT pg_drop_replication_slot($1)', [slotName]);
  } catch (err) {
    throw wrapPgError(err, `Could not drop replication slot "${slotName}"`);
  }
}

/**
 * Makes sure the publication exists as `mode` asks: `all_tables` creates it FOR ALL TABLES when
 * missing, `filtered` creates it for `tables` or sets its table list to them, `disabled` only checks
 * it exists.
 */
export async function ensurePublication(
  client: pg.Client,
  name: string,
  mode: PublicationAutocreateMode,
  tables: readonly TableInfo[],
  logger: Logger,
  viaPartitionRoot = false,
): Promise<void> {
  const run = async (sql: string, what: string): Promise<pg.QueryResult> => {
    try {
      return await client.query(sql);
    } catch (err) {
      throw wrapPgError(err, `Could not ${what} publication "${name}"`);
    }
  };
  const existing = await run(`SELECT puballtables, pubviaroot FROM pg_publication WHERE pubname = ${literal(name)}`, 'read');
  const exists = existing.rows.length > 0;
  const options = viaPartitionRoot ? ' WITH (publish_via_partition_root = true)' : '';
  // a publication the connector manages follows publish.via.partition.root; one it does not is only checked
  const alignViaRoot = async (): Promise<void> => {
    const current = (existing.rows[0] as { pubviaroot: boolean } | undefined)?.pubviaroot ?? false;
    if (!exists || current === viaPartitionRoot) return;
    if (mode === 'disabled') {
      logger.warn(
        `publication "${name}" has publish_via_partition_root = ${current}, but publish.via.partition.root is ${viaPartitionRoot}: partitioned tables will not be captured as configured`,
        { publication: name },
      );
      return;
    }
    await run(`ALTER PUBLICATION ${quoteIdent(name)} SET (publish_via_partition_root = ${viaPartitionRoot})`, 'update');
  };
  await alignViaRoot();
  const tableList = tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');
  switch (mode) {
    case 'disabled':
      if (!exists) {
        throw new ConfigValidationError(
          `Publication "${name}" does not exist and publication.autocreate.mode is disabled: create it (CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE …) or change the mode.`,
          [{ name: 'publication.name', errors: [`publication "${name}" does not exist`] }],
        );
      }
      return;
    case 'all_tables':
      if (!exists) {
        logger.info('creating publication for all tables', { publication: name });
        await run(`CREATE PUBLICATION ${quoteIdent(name)} FOR ALL TABLES${options}`, 'create');
      }
      return;
    case 'filtered':
      if (tables.length === 0) {
        throw new ConfigValidationError('publication.autocreate.mode=filtered but the filters select no table', [
          { name: 'table.include.list', errors: ['no table matches the include/exclude lists'] },
        ]);
      }
      if (!exists) {
        logger.info('creating publication for the captured tables', { publication: name, tables: tables.length });
        await run(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${tableList}${options}`, 'create');
      } else if ((existing.rows[0] as { puballtables: boolean }).puballtables) {
        logger.warn(
          'publication.autocreate.mode=filtered but the publication is FOR ALL TABLES; leaving it unchanged',
          { publication: name },
        );
      } else {
        await run(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${tableList}`, 'update');
      }
      return;
  }
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
