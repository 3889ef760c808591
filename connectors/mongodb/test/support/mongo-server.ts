/**
 * A MongoDB for integration tests: a real `mongod` (or replica set) when MONGODB_URL is set, else
 * mongo-java-server (de.bwaldvogel, Maven Central) started through scripts/mongodb. Nothing here
 * relies on a server started by hand.
 *
 *   const gate = mongoTestGate();          // before describe: skip (loudly) or fail under CI
 *   describe.skipIf(gate.skip)('…', () => {
 *     let mongo: TestMongo;
 *     beforeAll(async () => { mongo = await startTestMongo(); });
 *     afterAll(() => mongo?.stop());
 *   });
 */
import { MongoClient } from 'mongodb';
import { MONGO_JAVA_SERVER_VERSION, cachedInstall, missingPrerequisites, startMongoJavaServer } from '../../../../scripts/mongodb/mongo-java-server.mjs';

export interface TestMongo {
  /** `real` for MONGODB_URL, `fake` for mongo-java-server */
  readonly kind: 'real' | 'fake';
  readonly url: string;
  /** e.g. `mongo-java-server 1.47.0` or the real server's `buildInfo.version` */
  readonly description: string;
  /** a connected client for test setup and assertions */
  readonly client: MongoClient;
  /** a database name unique to this test run, so runs against a shared mongod do not collide */
  database(suffix: string): string;
  /** closes the client and stops the server we started (never a MONGODB_URL server); idempotent */
  stop(): Promise<void>;
}

/**
 * Whether MongoDB integration tests can run here: always with MONGODB_URL, else they need java and
 * javac (and mvn unless the jars are cached). Outside CI a missing tool skips with a loud banner
 * saying how to enable the tests; with CI=true it throws, since nothing may be skipped there.
 */
export function mongoTestGate(): { skip: boolean; reason?: string } {
  if (process.env['MONGODB_URL']) return { skip: false };
  const missing = missingPrerequisites({ needMaven: cachedInstall() === null });
  if (missing.length === 0) return { skip: false };
  const reason = `MongoDB integration tests need MONGODB_URL or: ${missing.join('; ')}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: MongoDB tests may not be skipped)`);
  const bar = '!'.repeat(100);
  process.stderr.write(`\n${bar}\n!! SKIPPING MongoDB integration tests: ${reason}\n!! Install the tools above, or point MONGODB_URL at a replica set (e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0).\n${bar}\n\n`);
  return { skip: true, reason };
}

let runCounter = 0;

/** Starts (or connects to) the test MongoDB. */
export async function startTestMongo(): Promise<TestMongo> {
  const runId = `${process.pid}_${Date.now().toString(36)}_${runCounter++}`;
  const external = process.env['MONGODB_URL'];
  if (external) {
    const client = await new MongoClient(external, { serverSelectionTimeoutMS: 10_000 }).connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    const created: string[] = [];
    let stopping: Promise<void> | null = null;
    return {
      kind: 'real',
      url: external,
      description: `mongod ${String(info['version'])}`,
      client,
      database(suffix) {
        const name = `sluice_${suffix}_${runId}`.slice(0, 60);
        created.push(name);
        return name;
      },
      stop() {
        stopping ??= (async () => {
          for (const db of created) await client.db(db).dropDatabase().catch(() => {});
          await client.close();
        })();
        return stopping;
      },
    };
  }
  const server = await startMongoJavaServer({ log: (m) => process.stderr.write(`${m}\n`) });
  const client = await new MongoClient(server.url, { serverSelectionTimeoutMS: 10_000 }).connect();
  let stopping: Promise<void> | null = null;
  return {
    kind: 'fake',
    url: server.url,
    description: `mongo-java-server ${MONGO_JAVA_SERVER_VERSION}`,
    client,
    database: (suffix) => `sluice_${suffix}`,
    stop() {
      stopping ??= (async () => {
        await client.close().catch(() => {});
        await server.stop();
      })();
      return stopping;
    },
  };
}
