import { Router } from 'express';
import type { WorkerHealth } from '../herder.js';
import { mountRoute } from '../http/method-routes.js';
import { sendJson } from '../http/send-json.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/** HTTP status per health state (KIP-1017): only a healthy worker answers 200. */
const HEALTH_STATUS: Record<WorkerHealth['status'], number> = { healthy: 200, starting: 503, unhealthy: 500 };

/**
 * `GET /` (ServerInfo) and `GET /health` (WorkerHealth; 200 healthy, 503 starting, 500 unhealthy).
 * Neither touches the herder's queue, so both answer while the worker is busy.
 */
export function rootRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  mountRoute(router, '/', {
    GET: (_req, res) => sendJson(res, 200, ctx.herder.serverInfo()),
  });
  mountRoute(router, '/health', {
    GET: (_req, res) => {
      const health = ctx.herder.health();
      sendJson(res, HEALTH_STATUS[health.status] ?? 500, health);
    },
  });
  return router;
}
