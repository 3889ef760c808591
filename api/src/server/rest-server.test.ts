import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../test/support/validated-app.js';
import { FakeHerder } from '../../test/support/fake-herder.js';
import { createRestServer } from './rest-server.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) {
  if (process.env['CI'] === 'true') throw new Error('TLS tests need the openssl CLI (CI=true: they may not be skipped)');
  process.stderr.write('\n*** SKIPPING TLS listener tests: install openssl (apt-get install openssl) to run them ***\n\n');
}

interface Pem {
  key: string;
  cert: string;
}
let dir: string;
let server: Pem;
let client: Pem;

/** A self-signed EC certificate for 127.0.0.1, valid for a day. */
function selfSigned(name: string): Pem {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-tls-'));
  server = selfSigned('server');
  client = selfSigned('client');
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function listen(handler: ReturnType<typeof createRestServer>): Promise<number> {
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  return (handler.address() as AddressInfo).port;
}

function get(secure: boolean, port: number, options: RequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      { host: '127.0.0.1', port, path: '/connectors', method: 'GET', timeout: 5_000, ...options },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!hasOpenssl)('TLS listener', () => {
  it('serves plain HTTP without tls, and refuses plain HTTP once tls is configured', async () => {
    const plain = createRestServer(createApp({ herder: new FakeHerder() }));
    const plainPort = await listen(plain);
    try {
      expect(await get(false, plainPort)).toBe(200);
    } finally {
      plain.close();
    }
    const tls = createRestServer(createApp({ herder: new FakeHerder() }), { key: server.key, cert: server.cert });
    const port = await listen(tls);
    try {
      await expect(get(false, port)).rejects.toThrow();
      expect(await get(true, port, { ca: server.cert })).toBe(200);
      // A client that does not trust the certificate refuses the connection.
      await expect(get(true, port)).rejects.toThrow(/self.signed|certificate/i);
    } finally {
      tls.close();
    }
  });

  it('requires a trusted client certificate with requireClientCert (mTLS)', async () => {
    const mtls = createRestServer(createApp({ herder: new FakeHerder() }), {
      key: server.key,
      cert: server.cert,
      ca: client.cert,
      requireClientCert: true,
    });
    const port = await listen(mtls);
    try {
      await expect(get(true, port, { ca: server.cert })).rejects.toThrow();
      await expect(get(true, port, { ca: server.cert, key: server.key, cert: server.cert })).rejects.toThrow();
      expect(await get(true, port, { ca: server.cert, key: client.key, cert: client.cert })).toBe(200);
    } finally {
      mtls.close();
    }
  });

  it('fails at construction on invalid key material', () => {
    expect(() => createRestServer(createApp({ herder: new FakeHerder() }), { key: 'nope', cert: 'nope' })).toThrow();
  });
});
