import { Router } from 'express';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { RequestError } from '../http/request-error.js';
import { sendEmpty, sendJson } from '../http/send-json.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/** Kafka Connect's exact message when `topic.tracking.enable=false`; scripts match on it. */
export const TOPIC_TRACKING_DISABLED = 'Topic tracking is disabled.';

/**
 * `GET /connectors/:name/topics` (200 `{"<name>":{"topics":[…]}}`) and
 * `PUT /connectors/:name/topics/reset` (202, empty), KIP-558. A herder without topic tracking
 * (no `connectorTopics` / `resetConnectorTopics`) answers 403 as Kafka Connect does when tracking
 * is disabled; an unknown connector is the herder's 404.
 */
export function connectorTopicRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  const { herder } = ctx;

  mountRoute(router, '/connectors/:name/topics', {
    GET: async (req, res) => {
      if (herder.connectorTopics === undefined) throw trackingDisabled();
      sendJson(res, 200, await herder.connectorTopics(pathParam(req, 'name')));
    },
  });
  mountRoute(router, '/connectors/:name/topics/reset', {
    PUT: async (req, res) => {
      if (herder.resetConnectorTopics === undefined) throw trackingDisabled();
      await herder.resetConnectorTopics(pathParam(req, 'name'));
      sendEmpty(res, 202);
    },
  });
  return router;
}

function trackingDisabled(): RequestError {
  return new RequestError('FORBIDDEN', TOPIC_TRACKING_DISABLED);
}
