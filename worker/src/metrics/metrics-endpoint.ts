import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { WorkerMetrics } from './worker-metrics.js';

/**
 * Serves `GET /metrics` (Prometheus text format) in front of the REST app; every other request goes
 * to `app`. Kept outside the REST API package: metrics are the worker's, not part of Kafka Connect's API.
 */
export function withMetricsEndpoint(metrics: WorkerMetrics, app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      metrics.render().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error_code: 500, message: `Collecting metrics failed: ${String(err)}` }));
        },
      );
      return;
    }
    app(req, res);
  };
}
