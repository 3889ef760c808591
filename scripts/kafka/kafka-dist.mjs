// Obtains Apache Kafka broker jars from Maven Central (through Maven, so ~/.m2 caches them too) into
// <repo>/.cache/kafka-<version>/libs, once per version. Used by cluster.mjs, the `kafka.mjs fetch`
// CLI and, through cluster.mjs, the TypeScript test helper worker/test/support/kafka-cluster.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The Kafka line tests run against by default (KRaft, post KIP-896 protocol baseline). */
export const DEFAULT_KAFKA_VERSION = '4.3.1';
/** The newest 3.x line, for users whose clusters still run 3.9. */
export const COMPAT_KAFKA_VERSION = '3.9.1';

export const REPO_ROOT = resolve(here, '..', '..');

/** Where jars of every version are cached; `SLUICE_KAFKA_CACHE_DIR` overrides `<repo>/.cache`. */
export function cacheRoot() {
  return process.env.SLUICE_KAFKA_CACHE_DIR ?? join(REPO_ROOT, '.cache');
}

/** Kafka 3.x logs through reload4j, 4.x through log4j2; the pom and the JVM flags differ. */
export function isLegacyVersion(version) {
  const major = Number.parseInt(version.split('.')[0] ?? '', 10);
  if (!Number.isFinite(major)) throw new Error(`Not a Kafka version: ${version}`);
  return major < 4;
}

/** JVM system properties that point the broker's logging at the config shipped beside this file. */
export function loggingJvmArgs(version) {
  return isLegacyVersion(version)
    ? [`-Dlog4j.configuration=file:${join(here, 'log4j.properties')}`]
    : [`-Dlog4j2.configurationFile=${join(here, 'log4j2.properties')}`];
}

/** Missing tools, as human-readable strings (empty when fetching or running can work). */
export function missingPrerequisites({ needMaven = true } = {}) {
  const missing = [];
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    missing.push('java (a JDK/JRE 17+ on PATH, e.g. `apt-get install openjdk-17-jre-headless`)');
  }
  if (needMaven && spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
    missing.push('mvn (Apache Maven on PATH, e.g. `apt-get install maven`)');
  }
  return missing;
}

/** The libs directory for `version` if its jars are already cached, else null. */
export function cachedLibsDir(version) {
  if (process.env.SLUICE_KAFKA_HOME) return join(process.env.SLUICE_KAFKA_HOME, 'libs');
  const libs = join(cacheRoot(), `kafka-${version}`, 'libs');
  return existsSync(join(libs, '.complete')) ? libs : null;
}

/**
 * Resolves the broker jars for `version`, downloading them on first use. Returns the libs directory.
 * `SLUICE_KAFKA_HOME` (an unpacked Kafka distribution) skips Maven entirely.
 */
export async function fetchKafka({ version = DEFAULT_KAFKA_VERSION, log = () => {} } = {}) {
  const cached = cachedLibsDir(version);
  if (cached) return cached;
  const missing = missingPrerequisites();
  if (missing.length > 0) throw new Error(`Cannot fetch Kafka ${version}: missing ${missing.join(', ')}`);

  const home = join(cacheRoot(), `kafka-${version}`);
  const libs = join(home, 'libs');
  // Download into a private directory and rename, so concurrent fetches never see half a set of jars.
  const staging = join(home, `libs.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
  log(`Fetching Apache Kafka ${version} jars from Maven Central into ${libs} ...`);
  const args = [
    '-q',
    '-B',
    '-f',
    join(here, 'pom.xml'),
    'dependency:copy-dependencies',
    `-Dkafka.version=${version}`,
    `-DoutputDirectory=${staging}`,
  ];
  if (isLegacyVersion(version)) args.push('-Dkafka.legacy=true');
  const { code, output } = await run('mvn', args);
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn failed (exit ${code}) fetching Kafka ${version}:\n${output.slice(-4000)}`);
  }
  if (!readdirSync(staging).some((f) => f.startsWith('kafka_2.13-'))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn finished but no kafka_2.13 jar for ${version} arrived in ${staging}`);
  }
  writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
  try {
    renameSync(staging, libs);
  } catch (err) {
    // Another process won the race; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(libs, '.complete'))) throw err;
  }
  return libs;
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
