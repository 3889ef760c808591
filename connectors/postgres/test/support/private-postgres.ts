/**
 * A private PostgreSQL instance for tests that must stop or restart the server (the machine's shared
 * cluster is never restarted by tests). initdb into a temporary directory, wal_level=logical, trust
 * auth, a free port on 127.0.0.1, unix sockets in the data directory. PostgreSQL refuses to run as
 * root: when the tests run as root, the server runs as the `postgres` system user (runuser).
 *
 * wal_sender_timeout is 5 s: at shutdown a walsender waits for its client to confirm every WAL byte
 * sent, and a CDC source confirms only what its offsets committed — so a fast shutdown under a
 * streaming connector takes up to wal_sender_timeout (60 s by default), by design.
 *
 *   const pgp = await startPrivatePostgres();   // or a skip reason when the binaries are missing
 *   await pgp.restart();                        // pg_ctl restart -m fast
 *   await pgp.stop();                           // and removes the directory
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';

export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  config(database?: string): pg.ClientConfig;
  /** the PostgresCdcSource connection keys for `database` */
  sourceConnection(database: string): Record<string, string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest PostgreSQL server binaries on this machine, or null. */
export function postgresBinDir(): string | null {
  if (process.env['PG_BIN'] !== undefined) return process.env['PG_BIN'];
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(root, versions[0]!, 'bin');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql, or set PG_BIN)');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-private-pg-'));
  const dataDir = join(dir, 'data');
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args;
    const r = spawnSync(asRoot ? 'runuser' : join(bin, cmd), full, { encoding: 'utf8', timeout: 120_000, cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.error?.message}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const port = await freePort();
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dataDir} -c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10 -c fsync=off -c wal_sender_timeout=5s`;
  const ctl = (action: 'start' | 'restart' | 'stop') =>
    run('pg_ctl', ['-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...(action === 'stop' ? ['-m', 'fast'] : ['-m', 'fast', '-o', options]), action]);
  ctl('start');
  const config = (database = 'postgres'): pg.ClientConfig => ({ host: '127.0.0.1', port, user: 'postgres', database });
  return {
    port,
    dataDir,
    config,
    sourceConnection: (database) => ({
      'database.hostname': '127.0.0.1',
      'database.port': String(port),
      'database.user': 'postgres',
      'database.password': '',
      'database.dbname': database,
      'database.sslmode': 'disable',
    }),
    async restart() {
      ctl('restart');
    },
    async stop() {
      try {
        ctl('stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
