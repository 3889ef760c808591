import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that passed through the proxy. */
export interface ProxiedRequest {
  readonly method: string;
  /** path with query, e.g. `/bucket/key?uploads` */
  readonly url: string;
  /** true when the proxy answered 503 SlowDown instead of forwarding */
  readonly throttled: boolean;
}

/**
 * A tiny HTTP proxy in front of the test S3 server on 127.0.0.1. It records every request and
 * answers chosen ones with `503 SlowDown` (S3's throttling response) instead of forwarding them, so
 * tests can watch uploads (multipart parts) and exercise retries against a real server.
 */
export interface S3Proxy {
  readonly endpoint: string;
  readonly requests: ProxiedRequest[];
  /** decides per request whether to throttle it; default: never */
  throttle: (req: IncomingMessage, index: number) => boolean;
  /** how many requests were throttled */
  readonly throttled: number;
  /** milliseconds to hold each forwarded request for before passing it on (a slow link); default 0 */
  delay: (req: IncomingMessage) => number;
  stop(): Promise<void>;
}

const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

export async function startS3Proxy(targetPort: number): Promise<S3Proxy> {
  const requests: ProxiedRequest[] = [];
  let stopped = false;
  const inflight = new Set<ReturnType<typeof request>>();
  const state = {
    throttle: (_req: IncomingMessage, _i: number): boolean => false,
    delay: (_req: IncomingMessage): number => 0,
  };
  const server: Server = createServer((req, res) => {
    const index = requests.length;
    const throttled = state.throttle(req, index);
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', throttled });
    if (throttled) {
      // drain the body so the client sees the response rather than a reset
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(SLOW_DOWN) });
        res.end(SLOW_DOWN);
      });
      return;
    }
    const forward = () => {
      // A request held back by `delay` may come due after stop(): drop it rather than reach upstream.
      if (stopped) {
        res.destroy();
        return;
      }
      const upstream = request(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.destroy();
      });
      // A client that goes away mid-request (a killed worker) must not leave the upstream request
      // open: the S3 server would wait for its body forever and never close.
      inflight.add(upstream);
      upstream.on('close', () => inflight.delete(upstream));
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    };
    const wait = state.delay(req);
    if (wait > 0) {
      req.pause();
      setTimeout(forward, wait);
    } else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get throttle() {
      return state.throttle;
    },
    set throttle(fn) {
      state.throttle = fn;
    },
    get delay() {
      return state.delay;
    },
    set delay(fn) {
      state.delay = fn;
    },
    get throttled() {
      return requests.filter((r) => r.throttled).length;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = true;
        for (const upstream of inflight) upstream.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
