// Obtains and runs mongo-java-server (de.bwaldvogel, Maven Central) for the MongoDB connector's
// integration tests: jars via Maven into <repo>/.cache/mongo-java-server/<version>/lib (so ~/.m2
// caches them too), the tiny launcher SluiceMongoServer.java compiled with javac beside them.
//
//   node scripts/mongodb/mongo-java-server.mjs fetch        # download + compile, print the directory
//   node scripts/mongodb/mongo-java-server.mjs start [port] # run in the foreground, print the URL
//
// The TypeScript helper connectors/mongodb/test/support/mongo-server.ts uses startMongoJavaServer().
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const LAUNCHER_SOURCE = join(here, 'SluiceMongoServer.java');

/** The mongo-java-server release the tests run against (must match pom.xml). */
export const MONGO_JAVA_SERVER_VERSION = '1.47.0';

export const REPO_ROOT = resolve(here, '..', '..');

/** Where jars are cached; `SLUICE_MONGO_CACHE_DIR` overrides `<repo>/.cache/mongo-java-server`. */
export function cacheDir() {
  return process.env.SLUICE_MONGO_CACHE_DIR ?? join(REPO_ROOT, '.cache', 'mongo-java-server');
}

/** Missing tools, as human-readable strings (empty when fetching and running can work). */
export function missingPrerequisites({ needMaven = true } = {}) {
  const missing = [];
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    missing.push('java (a JDK 17+ on PATH, e.g. `apt-get install openjdk-17-jdk-headless`)');
  }
  if (spawnSync('javac', ['-version'], { stdio: 'ignore' }).status !== 0) {
    missing.push('javac (a JDK, not only a JRE, e.g. `apt-get install openjdk-17-jdk-headless`)');
  }
  if (needMaven && spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
    missing.push('mvn (Apache Maven on PATH, e.g. `apt-get install maven`)');
  }
  return missing;
}

function launcherHash() {
  return createHash('sha256').update(readFileSync(LAUNCHER_SOURCE)).digest('hex').slice(0, 16);
}

function homeDir() {
  return join(cacheDir(), MONGO_JAVA_SERVER_VERSION);
}

/** The install directory if jars and the compiled launcher are cached and current, else null. */
export function cachedInstall() {
  const home = homeDir();
  const marker = join(home, '.complete');
  if (!existsSync(marker)) return null;
  return readFileSync(marker, 'utf8').trim() === launcherHash() ? home : null;
}

/**
 * Makes sure the jars and the compiled launcher are in the cache, downloading and compiling on first
 * use (or when SluiceMongoServer.java changed). Returns the install directory (`lib/`, `classes/`).
 */
export async function fetchMongoJavaServer({ log = () => {} } = {}) {
  const cached = cachedInstall();
  if (cached) return cached;
  const home = homeDir();
  const lib = join(home, 'lib');
  if (!existsSync(join(lib, '.complete'))) {
    const missing = missingPrerequisites();
    if (missing.length > 0) throw new Error(`Cannot fetch mongo-java-server: missing ${missing.join(', ')}`);
    // Download into a private directory and rename, so concurrent fetches never see half a set of jars.
    const staging = join(home, `lib.tmp-${process.pid}-${Date.now()}`);
    mkdirSync(staging, { recursive: true });
    log(`Fetching mongo-java-server ${MONGO_JAVA_SERVER_VERSION} from Maven Central into ${lib} ...`);
    const { code, output } = await run('mvn', ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`]);
    if (code !== 0 || !readdirSync(staging).some((f) => f.startsWith('mongo-java-server-core-'))) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`mvn failed (exit ${code}) fetching mongo-java-server:\n${output.slice(-4000)}`);
    }
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(lib, { recursive: true, force: true });
    try {
      renameSync(staging, lib);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(lib, '.complete'))) throw err;
    }
  }
  const missing = missingPrerequisites({ needMaven: false });
  if (missing.length > 0) throw new Error(`Cannot compile the mongo-java-server launcher: missing ${missing.join(', ')}`);
  const classes = join(home, `classes.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(classes, { recursive: true });
  const compiled = await run('javac', ['-d', classes, '-cp', classpathOf(lib), LAUNCHER_SOURCE]);
  if (compiled.code !== 0) {
    rmSync(classes, { recursive: true, force: true });
    throw new Error(`javac failed compiling ${LAUNCHER_SOURCE}:\n${compiled.output.slice(-4000)}`);
  }
  rmSync(join(home, 'classes'), { recursive: true, force: true });
  renameSync(classes, join(home, 'classes'));
  writeFileSync(join(home, '.complete'), `${launcherHash()}\n`);
  return home;
}

function classpathOf(lib) {
  return readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(lib, f))
    .join(delimiter);
}

/**
 * Starts a server on 127.0.0.1 (`port` 0 = a free one) and resolves once it listens. The JVM exits
 * when `stop()` closes its standard input, or when this process dies (its stdin pipe closes too).
 */
export async function startMongoJavaServer({ port = 0, log = () => {}, startTimeoutMs = 60_000 } = {}) {
  const home = await fetchMongoJavaServer({ log });
  const classpath = [join(home, 'classes'), classpathOf(join(home, 'lib'))].join(delimiter);
  const child = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath, 'SluiceMongoServer', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  const boundPort = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mongo-java-server did not start within ${startTimeoutMs} ms:\n${output.slice(-4000)}`));
    }, startTimeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /SLUICE_MONGO_LISTENING (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited (code ${code}) before listening:\n${output.slice(-4000)}`));
    });
  });
  let stopping = null;
  return {
    version: MONGO_JAVA_SERVER_VERSION,
    port: boundPort,
    url: `mongodb://127.0.0.1:${boundPort}`,
    pid: child.pid,
    output: () => output,
    stop() {
      stopping ??= (async () => {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

function run(command, args) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? 1, output }));
  });
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [command = 'start', portArg] = process.argv.slice(2);
  const log = (message) => process.stderr.write(`${message}\n`);
  if (command === 'fetch') {
    process.stdout.write(`${await fetchMongoJavaServer({ log })}\n`);
  } else if (command === 'start') {
    const server = await startMongoJavaServer({ port: Number(portArg ?? 0), log });
    process.stdout.write(`${server.url}\n`);
    const shutdown = () => void server.stop().then(() => process.exit(0));
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } else {
    process.stderr.write('usage: mongo-java-server.mjs fetch | start [port]\n');
    process.exit(2);
  }
}
