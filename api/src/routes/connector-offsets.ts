import { Router, type Request } from 'express';
import type { ConnectorOffset, ConnectorOffsets } from '../herder.js';
import { jsonBody } from '../http/json-body.js';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { badRequest } from '../http/request-error.js';
import { requireObject } from '../http/request-input.js';
import { sendJson } from '../http/send-json.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/**
 * `GET|PATCH|DELETE /connectors/:name/offsets` (KIP-875). PATCH needs `{"offsets":[…]}` with at
 * least one `{partition: object, offset: object | null}` entry; whether the connector is STOPPED
 * and whether partitions make sense for its type is the herder's call.
 */
export function connectorOffsetRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  const { herder } = ctx;

  mountRoute(router, '/connectors/:name/offsets', {
    GET: async (req, res) => sendJson(res, 200, await herder.connectorOffsets(pathParam(req, 'name'))),
    PATCH: [
      ...jsonBody(ctx.maxBodyBytes),
      async (req, res) => {
        const offsets = parseOffsets(req);
        sendJson(res, 200, await herder.alterConnectorOffsets(pathParam(req, 'name'), offsets));
      },
    ],
    DELETE: async (req, res) => sendJson(res, 200, await herder.resetConnectorOffsets(pathParam(req, 'name'))),
  });
  return router;
}

function parseOffsets(req: Request): ConnectorOffsets {
  const body = requireObject(req.body, 'Request body');
  const list = body['offsets'];
  if (!Array.isArray(list) || list.length === 0) {
    throw badRequest(
      "Partitions / offsets need to be provided for an alter offsets request: 'offsets' must be a non-empty array",
    );
  }
  return {
    offsets: list.map((entry: unknown, i): ConnectorOffset => {
      const item = requireObject(entry, `offsets[${i}]`);
      const partition = requireObject(item['partition'], `offsets[${i}].partition`);
      const offset = item['offset'];
      if (offset === null) return { partition, offset: null };
      if (typeof offset !== 'object' || Array.isArray(offset)) {
        throw badRequest(`offsets[${i}].offset must be a JSON object, or null to reset the partition`);
      }
      return { partition, offset: offset as Record<string, unknown> };
    }),
  };
}
