// Starts and stops a throwaway KRaft cluster (1 or 3 combined broker+controller nodes) on 127.0.0.1
// from the jars kafka-dist.mjs caches. Every node gets free ports and its own log dir under one temp
// directory; storage is formatted with a fresh cluster id. Shared by the `kafka.mjs` CLI and the test
// helper worker/test/support/kafka-cluster.ts (types in cluster.d.mts).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { DEFAULT_KAFKA_VERSION, fetchKafka, loggingJvmArgs } from './kafka-dist.mjs';

const HOST = '127.0.0.1';
const RUN_ROOT = join(tmpdir(), 'sluice-kafka');
const STOP_GRACE_MS = 20_000;

/** Child processes of this process, killed synchronously if it exits without stopping them. */
const live = new Set();
let exitHookInstalled = false;

/**
 * Starts a cluster and resolves once every node answers a metadata request listing all brokers.
 * Options: brokers (1|3), version, heapMb, fastStartup (C1-only JIT, default true), config (extra
 * server.properties), detached (outlive this process, for the CLI), readyTimeoutMs, log (progress).
 */
export async function startCluster(options = {}) {
  const brokers = options.brokers ?? 1;
  if (!Number.isInteger(brokers) || brokers < 1) throw new Error(`brokers must be a positive integer, got ${brokers}`);
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  const log = options.log ?? (() => {});
  const libs = await fetchKafka({ version, log });
  sweepOrphans();
  mkdirSync(RUN_ROOT, { recursive: true });
  const dir = mkdtempSync(join(RUN_ROOT, 'cluster-'));
  const security = options.security ?? null;
  const perNode = security === null ? 2 : 2 + SECURE_PROTOCOLS.length;
  const ports = await freePorts(brokers * perNode);
  const nodes = Array.from({ length: brokers }, (_, i) => ({
    nodeId: i + 1,
    port: ports[perNode * i],
    controllerPort: ports[perNode * i + 1],
    securePorts: security === null ? {} : Object.fromEntries(SECURE_PROTOCOLS.map((p, j) => [p, ports[perNode * i + 2 + j]])),
    dir: join(dir, `node-${i + 1}`),
    child: null,
  }));
  const voters = nodes.map((n) => `${n.nodeId}@${HOST}:${n.controllerPort}`).join(',');
  const clusterId = newClusterId();
  const cluster = {
    version,
    dir,
    clusterId,
    libs,
    detached: options.detached === true,
    heapMb: options.heapMb ?? 512,
    fastStartup: options.fastStartup ?? true,
    readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    nodes,
    log,
    security: security === null ? null : { users: security.users ?? { sluice: 'sluice-secret' }, ...makeKeystore(dir) },
  };
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ ownerPid: cluster.detached ? null : process.pid }));
  for (const node of nodes) {
    mkdirSync(join(node.dir, 'data'), { recursive: true });
    writeFileSync(join(node.dir, 'server.properties'), serverProperties(node, voters, brokers, { ...securityProperties(cluster), ...(options.config ?? {}) }));
  }
  try {
    await Promise.all(nodes.map((node) => formatStorage(cluster, node)));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const handle = makeHandle(cluster);
  try {
    for (let i = 0; i < nodes.length; i++) launch(cluster, i);
    await waitReady(cluster, nodes.map((n) => n.nodeId));
  } catch (err) {
    await handle.stop();
    throw err;
  }
  writeState(cluster);
  return handle;
}

/** Stops a detached cluster from its state file (written by `startCluster({ detached: true })`). */
export async function stopDetached(stateFile) {
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  await Promise.all(state.nodes.map((n) => terminatePid(n.pid, state.dir)));
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  return state;
}

function makeHandle(cluster) {
  const { nodes } = cluster;
  const check = (i) => {
    if (!Number.isInteger(i) || i < 0 || i >= nodes.length) throw new Error(`No broker ${i}: indexes are 0..${nodes.length - 1}`);
    return nodes[i];
  };
  let stopping = null;
  return {
    version: cluster.version,
    clusterId: cluster.clusterId,
    dir: cluster.dir,
    bootstrapServers: nodes.map((n) => `${HOST}:${n.port}`),
    secure:
      cluster.security === null
        ? null
        : {
            bootstrapServers: Object.fromEntries(SECURE_PROTOCOLS.map((p) => [p, nodes.map((n) => `${HOST}:${n.securePorts[p]}`)])),
            caFile: cluster.security.caFile,
            clientKeystore: { file: cluster.security.clientKeystore, password: KEYSTORE_PASSWORD },
            users: cluster.security.users,
          },
    nodeIds: nodes.map((n) => n.nodeId),
    async stopBroker(i) {
      await terminate(check(i), 'SIGTERM');
    },
    async kill(i) {
      await terminate(check(i), 'SIGKILL');
    },
    async startBroker(i) {
      const node = check(i);
      if (node.child) throw new Error(`Broker ${i} is already running`);
      launch(cluster, i);
      await waitReady(cluster, [node.nodeId]);
      writeState(cluster);
    },
    isRunning(i) {
      return check(i).child !== null;
    },
    logFile(i) {
      return join(check(i).dir, 'server.log');
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(nodes.map((n) => terminate(n, 'SIGTERM', 10_000)));
        rmSync(cluster.dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Listeners added next to PLAINTEXT when `security` is asked for (PLAINTEXT stays for readiness checks). */
const SECURE_PROTOCOLS = ['SASL_PLAINTEXT', 'SASL_SSL', 'SSL', 'MTLS'];
/** Listener name → security protocol: MTLS is an SSL listener that requires client certificates. */
const LISTENER_PROTOCOL = { SASL_PLAINTEXT: 'SASL_PLAINTEXT', SASL_SSL: 'SASL_SSL', SSL: 'SSL', MTLS: 'SSL' };
const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
const KEYSTORE_PASSWORD = 'sluice-test-keystore';

/**
 * A self-signed certificate for 127.0.0.1/localhost in a PKCS12 keystore (keytool, from the JDK the
 * brokers run on), and the certificate as PEM for clients to trust.
 */
function makeKeystore(dir) {
  const keystore = join(dir, 'broker.p12');
  const caFile = join(dir, 'ca.pem');
  const common = ['-keystore', keystore, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD];
  execFileSync('keytool', ['-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '7', '-dname', 'CN=localhost', '-ext', 'SAN=IP:127.0.0.1,DNS:localhost', '-keypass', KEYSTORE_PASSWORD, ...common], { stdio: 'pipe' });
  writeFileSync(caFile, execFileSync('keytool', ['-exportcert', '-rfc', '-alias', 'broker', ...common], { stdio: ['ignore', 'pipe', 'pipe'] }));
  // a client certificate for the MTLS listener, trusted by the brokers
  const clientKeystore = join(dir, 'client.p12');
  const clientCert = join(dir, 'client.pem');
  const truststore = join(dir, 'broker-trust.p12');
  const client = ['-keystore', clientKeystore, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD];
  execFileSync('keytool', ['-genkeypair', '-alias', 'client', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '7', '-dname', 'CN=sluice-client', '-keypass', KEYSTORE_PASSWORD, ...client], { stdio: 'pipe' });
  writeFileSync(clientCert, execFileSync('keytool', ['-exportcert', '-rfc', '-alias', 'client', ...client], { stdio: ['ignore', 'pipe', 'pipe'] }));
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'client', '-file', clientCert, '-keystore', truststore, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD], { stdio: 'pipe' });
  return { keystore, caFile, truststore, clientKeystore };
}

/** server.properties entries of the secure listeners: TLS keystore, PLAIN users, SCRAM login modules. */
function securityProperties(cluster) {
  if (cluster.security === null) return {};
  const { users, keystore, truststore } = cluster.security;
  const plainUsers = Object.entries(users).map(([u, p]) => `user_${u}="${p}"`).join(' ');
  const props = {
    'sasl.enabled.mechanisms': ['PLAIN', ...SCRAM_MECHANISMS].join(','),
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': keystore,
    'ssl.keystore.password': KEYSTORE_PASSWORD,
    'ssl.key.password': KEYSTORE_PASSWORD,
    'listener.name.mtls.ssl.client.auth': 'required',
    'listener.name.mtls.ssl.truststore.type': 'PKCS12',
    'listener.name.mtls.ssl.truststore.location': truststore,
    'listener.name.mtls.ssl.truststore.password': KEYSTORE_PASSWORD,
  };
  for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
    props[`listener.name.${listener}.plain.sasl.jaas.config`] = `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`;
    for (const m of SCRAM_MECHANISMS) props[`listener.name.${listener}.${m.toLowerCase()}.sasl.jaas.config`] = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  }
  return props;
}

function serverProperties(node, voters, brokers, extra) {
  const minIsr = Math.min(2, brokers);
  const secure = Object.entries(node.securePorts);
  const props = {
    'process.roles': 'broker,controller',
    'node.id': String(node.nodeId),
    'controller.quorum.voters': voters,
    listeners: [`PLAINTEXT://${HOST}:${node.port}`, `CONTROLLER://${HOST}:${node.controllerPort}`, ...secure.map(([l, port]) => `${l}://${HOST}:${port}`)].join(','),
    'advertised.listeners': [`PLAINTEXT://${HOST}:${node.port}`, ...secure.map(([p, port]) => `${p}://${HOST}:${port}`)].join(','),
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT', ...secure.map(([l]) => `${l}:${LISTENER_PROTOCOL[l]}`)].join(','),
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(node.dir, 'data'),
    'num.partitions': '1',
    'default.replication.factor': String(brokers),
    'auto.create.topics.enable': 'false',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.replication.factor': String(brokers),
    // Fewer coordinator partitions: the first group operation creates them all, and 50 is slow here.
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': String(brokers),
    'transaction.state.log.min.isr': String(minIsr),
    'transaction.state.log.num.partitions': '5',
    'share.coordinator.state.topic.replication.factor': String(brokers),
    'share.coordinator.state.topic.min.isr': String(minIsr),
    // Sized for a 2-core machine shared with the code under test.
    'num.network.threads': '2',
    'num.io.threads': '2',
    'num.recovery.threads.per.data.dir': '1',
    'background.threads': '2',
    'log.cleaner.dedupe.buffer.size': String(16 * 1024 * 1024),
    ...extra,
  };
  return `${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** `kafka-storage format`: writes meta.properties and the bootstrap checkpoint into the node's log dir. */
function formatStorage(cluster, node) {
  const args = ['-Xmx256m', ...loggingJvmArgs(cluster.version), '-cp', join(cluster.libs, '*'), 'kafka.tools.StorageTool', 'format', '-t', cluster.clusterId, '-c', join(node.dir, 'server.properties')];
  // SCRAM credentials live in the cluster metadata: KRaft writes them at format time.
  for (const [user, password] of Object.entries(cluster.security?.users ?? {}))
    for (const m of SCRAM_MECHANISMS) args.push('--add-scram', `${m}=[name=${user},password=${password}]`);
  return new Promise((ok, fail) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok() : fail(new Error(`kafka-storage format failed for node ${node.nodeId} (exit ${code}):\n${output}`))));
  });
}

function launch(cluster, i) {
  const node = cluster.nodes[i];
  const logFd = openSync(join(node.dir, 'server.log'), 'a');
  const args = [
    `-Xms${Math.min(256, cluster.heapMb)}m`,
    `-Xmx${cluster.heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    // C1 only: starts ~30% faster on 2 cores; benchmarks pass fastStartup: false for the full JIT.
    ...(cluster.fastStartup ? ['-XX:TieredStopAtLevel=1'] : []),
    '-Djava.awt.headless=true',
    ...loggingJvmArgs(cluster.version),
    '-cp',
    join(cluster.libs, '*'),
    'kafka.Kafka',
    join(node.dir, 'server.properties'),
  ];
  const child = spawn('java', args, { stdio: ['ignore', logFd, logFd], detached: cluster.detached });
  closeSync(logFd);
  node.child = child;
  node.exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  node.exited.then(() => {
    live.delete(child);
    if (node.child === child) node.child = null;
  });
  if (cluster.detached) child.unref();
  else {
    live.add(child);
    installExitHook();
  }
}

async function terminate(node, signal, graceMs = STOP_GRACE_MS) {
  const child = node.child;
  if (!child) return;
  child.kill(signal);
  const exited = await Promise.race([node.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!exited) {
    child.kill('SIGKILL');
    await node.exited;
  }
}

async function terminatePid(pid, dir) {
  if (!pid || !pidRunsIn(pid, dir)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && pidRunsIn(pid, dir)) await sleep(200);
  if (pidRunsIn(pid, dir)) process.kill(pid, 'SIGKILL');
}

/** True when `pid` is alive and is a broker of the cluster in `dir` (guards against recycled pids). */
function pidRunsIn(pid, dir) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return false;
  }
}

/**
 * Resolves once each of `nodeIds` answers a Metadata request itself, listing every running node.
 * Asking the node directly matters after a crash: the controller keeps listing a killed broker until
 * its session expires, so the cluster's view alone would call a broker ready before it even started.
 */
async function waitReady(cluster, nodeIds) {
  const { Kafka, logLevel } = kafkajs;
  const deadline = Date.now() + cluster.readyTimeoutMs;
  let lastError = null;
  for (const id of nodeIds) {
    const node = cluster.nodes[id - 1];
    for (;;) {
      if (!node.child) throw new Error(`Kafka node ${id} exited during start-up; log tail:\n${tail(join(node.dir, 'server.log'))}`);
      if (Date.now() > deadline) {
        throw new Error(`Kafka node ${id} in ${cluster.dir} not ready after ${cluster.readyTimeoutMs} ms: ${lastError?.message ?? 'unknown'}`);
      }
      const expected = cluster.nodes.filter((n) => n.child).map((n) => n.nodeId);
      const admin = new Kafka({ brokers: [`${HOST}:${node.port}`], clientId: 'sluice-kafka-ready', logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } }).admin();
      try {
        await admin.connect();
        const up = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
        if (expected.every((n) => up.has(n))) break;
        lastError = new Error(`node ${id} sees brokers ${[...up].join(',') || 'none'}, expected ${expected.join(',')}`);
      } catch (err) {
        lastError = err;
      } finally {
        await admin.disconnect().catch(() => {});
      }
      await sleep(250);
    }
  }
}

function writeState(cluster) {
  const state = {
    version: cluster.version,
    dir: cluster.dir,
    bootstrapServers: cluster.nodes.map((n) => `${HOST}:${n.port}`),
    nodes: cluster.nodes.map((n) => ({ nodeId: n.nodeId, port: n.port, pid: n.child?.pid ?? null })),
  };
  writeFileSync(join(cluster.dir, 'state.json'), JSON.stringify(state, null, 2));
}

/** Kills brokers of clusters whose owning (test) process died without stopping them, and removes their dirs. */
function sweepOrphans() {
  if (!existsSync(RUN_ROOT)) return;
  for (const name of readdirSync(RUN_ROOT)) {
    const dir = join(RUN_ROOT, name);
    let owner;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8'));
    } catch {
      continue;
    }
    if (!owner.ownerPid || pidAlive(owner.ownerPid)) continue;
    try {
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
      for (const n of state.nodes) if (n.pid && pidRunsIn(n.pid, dir)) process.kill(n.pid, 'SIGKILL');
    } catch {
      // no state file: the cluster never became ready and its start-up cleaned up after itself
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A KRaft cluster id: 16 random bytes, base64url; Kafka avoids ids that read like a CLI flag. */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(0, HOST, ok);
      });
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((ok) => s.close(() => ok()))));
  }
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
