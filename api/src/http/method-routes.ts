import type { Request, RequestHandler, Router } from 'express';
import { RequestError } from './request-error.js';

/** The HTTP methods the REST API serves. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Handlers (or handler chains) per method for one path. */
export type MethodHandlers = Partial<Record<HttpMethod, RequestHandler | RequestHandler[]>>;

const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Registers `handlers` for `path` on `router`. Any other method on the same path fails with
 * METHOD_NOT_ALLOWED (405 with an `Allow` header) instead of falling through to "unknown path";
 * OPTIONS answers 204 with `Allow`. HEAD is served by the GET handler, as Express does by default.
 */
export function mountRoute(router: Router, path: string, handlers: MethodHandlers): void {
  const route = router.route(path);
  const allowed: string[] = [];
  for (const method of METHOD_ORDER) {
    const handler = handlers[method];
    if (handler === undefined) continue;
    allowed.push(method);
    if (method === 'GET') allowed.push('HEAD');
    const chain = Array.isArray(handler) ? handler : [handler];
    switch (method) {
      case 'GET':
        route.get(...chain);
        break;
      case 'POST':
        route.post(...chain);
        break;
      case 'PUT':
        route.put(...chain);
        break;
      case 'PATCH':
        route.patch(...chain);
        break;
      case 'DELETE':
        route.delete(...chain);
        break;
    }
  }
  allowed.push('OPTIONS');
  const allowHeader = allowed.join(', ');
  route.all((req, res, next) => {
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allowHeader);
      res.statusCode = 204;
      res.end();
      return;
    }
    next(
      new RequestError(
        'METHOD_NOT_ALLOWED',
        `Method ${req.method} is not allowed on ${req.path}; allowed: ${allowHeader}`,
        {
          allowedMethods: allowed,
        },
      ),
    );
  });
}

/** A path parameter the route pattern guarantees; throws if the pattern and the code disagree. */
export function pathParam(req: Request, name: string): string {
  const value = (req.params as Record<string, string | undefined>)[name];
  if (value === undefined) throw new Error(`Route has no path parameter '${name}'`);
  return value;
}
