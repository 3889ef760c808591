/**
 * Jars for the Java side of the compatibility tests, resolved from Maven Central through
 * test/compat/pom.xml (so ~/.m2 caches them too) into <repo>/.cache/compat/<profile>-<version>/libs,
 * once per version. Profiles: `connect` (Apache Kafka Connect runtime + file connectors) and
 * `client` (org.sourcelab:kafka-connect-client).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KAFKA_VERSION, cacheRoot, missingPrerequisites } from '../../../scripts/kafka/kafka-dist.mjs';

export type JarProfile = 'connect' | 'client';

const POM = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pom.xml');
/** Must match `sourcelab.client.version` in pom.xml. */
export const SOURCELAB_CLIENT_VERSION = '4.0.5';

function versionOf(profile: JarProfile): string {
  return profile === 'connect' ? DEFAULT_KAFKA_VERSION : SOURCELAB_CLIENT_VERSION;
}

/** The cached libs directory for `profile`, or null when it still has to be fetched. */
export function cachedJars(profile: JarProfile): string | null {
  const libs = path.join(cacheRoot(), 'compat', `${profile}-${versionOf(profile)}`, 'libs');
  return existsSync(path.join(libs, '.complete')) ? libs : null;
}

/**
 * Whether the Java-backed compatibility tests can run: java on PATH, and mvn unless every jar set
 * is cached. Outside CI a missing tool skips with a loud banner; with CI=true it throws.
 */
export function javaTestGate(profiles: readonly JarProfile[]): { skip: boolean; reason?: string } {
  const needMaven = profiles.some((p) => cachedJars(p) === null);
  const missing = missingPrerequisites({ needMaven });
  if (spawnSync('java', ['--version'], { stdio: 'ignore' }).status !== 0 && missing.length === 0) {
    missing.push('java 17+');
  }
  if (missing.length === 0) return { skip: false };
  const reason = `REST compatibility tests need: ${missing.join('; ')}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: they may not be skipped)`);
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! SKIPPING REST compatibility tests. ${reason}.\n` +
      `!! Install them, then run: npx vitest run test/compat  (jars come from Maven Central on first use)\n${bar}\n\n`,
  );
  return { skip: true, reason };
}

/** Resolves the jars of `profile`, downloading them on first use; returns the libs directory. */
export async function fetchJars(profile: JarProfile, log: (line: string) => void = () => {}): Promise<string> {
  const cached = cachedJars(profile);
  if (cached !== null) return cached;
  const home = path.join(cacheRoot(), 'compat', `${profile}-${versionOf(profile)}`);
  const libs = path.join(home, 'libs');
  // Download beside the target and rename, so a concurrent run never sees half a set of jars.
  const staging = path.join(home, `libs.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
  log(`Fetching ${profile} jars (${versionOf(profile)}) from Maven Central into ${libs} ...`);
  const args = ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-P${profile}`, `-DoutputDirectory=${staging}`];
  const { code, output } = await run('mvn', args);
  if (code !== 0 || readdirSync(staging).filter((f) => f.endsWith('.jar')).length === 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn failed (exit ${code}) fetching the ${profile} jars:\n${output.slice(-4000)}`);
  }
  writeFileSync(path.join(staging, '.complete'), `${new Date().toISOString()}\n`);
  try {
    renameSync(staging, libs);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(path.join(libs, '.complete'))) throw err;
  }
  return libs;
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
