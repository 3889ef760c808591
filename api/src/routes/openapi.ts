import { Router } from 'express';
import { mountRoute } from '../http/method-routes.js';
import { sendJson } from '../http/send-json.js';
import { openApiDocument } from '../openapi/openapi-document.js';
import { ROUTER_OPTIONS } from './route-context.js';

/** `GET /openapi.json`: the OpenAPI 3.1 document of this API, exactly as kept in the repository. */
export function openApiRoutes(): Router {
  const router = Router(ROUTER_OPTIONS);
  const document = openApiDocument();
  mountRoute(router, '/openapi.json', {
    GET: (_req, res) => sendJson(res, 200, document),
  });
  return router;
}
