import { NotFoundError } from '@sluice/core';
import { Router, type Request } from 'express';
import type { Herder } from '../herder.js';
import { jsonBody } from '../http/json-body.js';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { badRequest } from '../http/request-error.js';
import { queryValues, requireObject } from '../http/request-input.js';
import { sendEmpty, sendJson } from '../http/send-json.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/** The level names Kafka Connect (log4j) accepts, upper case; matched case-insensitively. */
export const LOG_LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'ALL'] as const;

/** Where a level change applies (KIP-976): this worker only, or every worker of the cluster. */
export type LoggerScope = 'worker' | 'cluster';

type LoggingHerder = Required<Pick<Herder, 'loggers' | 'setLoggerLevel'>>;

/**
 * `/admin/loggers` (KIP-495, KIP-976):
 * - `GET /admin/loggers` → 200 `{"<logger>":{"level","last_modified"}}` (sorted by name);
 * - `GET /admin/loggers/:logger` → 200 `{"level","last_modified"}`, 404 "Logger X not found.";
 * - `PUT /admin/loggers/:logger?scope=worker|cluster` with `{"level":"DEBUG"}` → worker scope 200
 *   with the sorted names of the loggers changed, cluster scope 204.
 * Stricter than Kafka Connect on bad input: an unknown level or scope is a 400 (Kafka Connect
 * answers 404 for the level and silently falls back to worker scope). A herder without logger
 * support makes every path here a 404, as if the endpoints did not exist.
 */
export function adminLoggerRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  const herder = loggingHerder(ctx.herder);
  if (herder === undefined) return router;

  mountRoute(router, '/admin/loggers', {
    GET: (_req, res) => {
      const levels = herder.loggers();
      sendJson(res, 200, Object.fromEntries(Object.keys(levels).sort().map((name) => [name, levels[name]])));
    },
  });
  mountRoute(router, '/admin/loggers/:logger', {
    GET: (req, res) => {
      const name = pathParam(req, 'logger');
      const level = Object.hasOwn(herder.loggers(), name) ? herder.loggers()[name] : undefined;
      if (level === undefined) throw new NotFoundError(`Logger ${name} not found.`);
      sendJson(res, 200, level);
    },
    PUT: [
      ...jsonBody(ctx.maxBodyBytes),
      async (req, res) => {
        const level = parseLevel(req.body);
        const scope = parseScope(req);
        const changed = await herder.setLoggerLevel(pathParam(req, 'logger'), level, scope);
        if (scope === 'cluster' || changed === null) sendEmpty(res, 204);
        else sendJson(res, 200, [...changed].sort());
      },
    ],
  });
  return router;
}

function loggingHerder(herder: Herder): LoggingHerder | undefined {
  const { loggers, setLoggerLevel } = herder;
  if (loggers === undefined || setLoggerLevel === undefined) return undefined;
  return { loggers: () => loggers.call(herder), setLoggerLevel: (...args) => setLoggerLevel.apply(herder, args) };
}

function parseLevel(body: unknown): string {
  const request = requireObject(body, 'Request body');
  const raw = request['level'];
  if (raw === undefined || raw === null) throw badRequest("Desired 'level' parameter was not specified in request.");
  if (typeof raw !== 'string') throw badRequest("'level' must be a string");
  const level = LOG_LEVELS.find((l) => l === raw.trim().toUpperCase());
  if (level === undefined) throw badRequest(`Invalid log level '${raw}'; expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function parseScope(req: Request): LoggerScope {
  const values = queryValues(req, 'scope');
  if (values.length > 1) throw badRequest("Query parameter 'scope' was given more than once");
  const raw = (values[0] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'worker') return 'worker';
  if (raw === 'cluster') return 'cluster';
  throw badRequest(`Invalid scope '${values[0]}'; expected worker or cluster`);
}
