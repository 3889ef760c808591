import { Router, type Request, type RequestHandler } from 'express';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { rawBody } from '../http/raw-body.js';
import { badRequest, RequestError } from '../http/request-error.js';
import { toConfigMap } from '../http/request-input.js';
import { sendEmpty } from '../http/send-json.js';
import { DEFAULT_SIGNATURE_ALGORITHM, verifyRequest, type SessionKey } from '../security/request-signature.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/** How this worker checks requests other workers send it (KIP-507). */
export interface InternalRequestOptions {
  /**
   * The current session key, or null before this worker has read one from the config topic
   * (requests then get 503). Called per request; must be cheap and must not throw.
   */
  sessionKey: () => SessionKey | null;
  /** Accepted signature algorithms (`inter.worker.verification.algorithms`). Default `[HmacSHA256]`. */
  verificationAlgorithms?: readonly string[];
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The signed handler chain for `POST /connectors/:name/tasks` (a JSON array of task config maps,
 * stored through `herder.putTaskConfigs`, 204). Mounted beside the public GET on the same path by
 * `connectorTaskRoutes`. Unsigned or wrongly-algorithmed → 400, bad signature → 403, no session
 * key yet → 503, herder without the method → 404.
 */
export function putTaskConfigsHandlers(ctx: RouteContext, options: InternalRequestOptions): RequestHandler[] {
  return [
    rawBody(ctx.maxBodyBytes),
    requireSignature(options),
    async (req, res) => {
      const name = pathParam(req, 'name');
      const configs = parseTaskConfigs(req);
      if (ctx.herder.putTaskConfigs === undefined) throw notServed('task configuration');
      await ctx.herder.putTaskConfigs(name, configs);
      sendEmpty(res, 204);
    },
  ];
}

/** `PUT /connectors/:name/fence` (KIP-618): signed like the task-config endpoint; 204 when fenced. */
export function internalRoutes(ctx: RouteContext, options: InternalRequestOptions): Router {
  const router = Router(ROUTER_OPTIONS);
  mountRoute(router, '/connectors/:name/fence', {
    PUT: [
      rawBody(ctx.maxBodyBytes),
      requireSignature(options),
      async (req, res) => {
        if (ctx.herder.fenceZombies === undefined) throw notServed('zombie fencing');
        await ctx.herder.fenceZombies(pathParam(req, 'name'));
        sendEmpty(res, 204);
      },
    ],
  });
  return router;
}

/** True for the two internal endpoints, whose signature replaces user authentication. */
export function isInternalRequest(req: Request): boolean {
  return (
    (req.method === 'POST' && /^\/connectors\/[^/]+\/tasks\/?$/.test(req.path)) ||
    (req.method === 'PUT' && /^\/connectors\/[^/]+\/fence\/?$/.test(req.path))
  );
}

function requireSignature(options: InternalRequestOptions): RequestHandler {
  const algorithms = options.verificationAlgorithms ?? [DEFAULT_SIGNATURE_ALGORITHM];
  return (req, _res, next) => {
    const session = options.sessionKey();
    if (session === null) {
      next(
        new RequestError(
          'SERVICE_UNAVAILABLE',
          'This worker has not yet read a session key from the config topic; internal requests cannot be verified yet',
        ),
      );
      return;
    }
    const check = verifyRequest(session.key, req.body as Buffer, req.headers, algorithms);
    if (check.valid) next();
    else next(new RequestError(check.reason === 'INVALID' ? 'FORBIDDEN' : 'BAD_REQUEST', check.message));
  };
}

function parseTaskConfigs(req: Request): Record<string, string>[] {
  const bytes = req.body as Buffer;
  if (bytes.length === 0) throw badRequest('Task configs must be a JSON array, got nothing');
  const type = req.headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) {
    throw new RequestError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON; set Content-Type: application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw badRequest(`Malformed JSON in request body: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw badRequest('Task configs must be a JSON array of config objects');
  return parsed.map((entry: unknown, i) => toConfigMap(entry, `Task config ${i}`));
}

function notServed(what: string): RequestError {
  return new RequestError('UNKNOWN_PATH', `This worker does not accept forwarded ${what} requests`);
}
