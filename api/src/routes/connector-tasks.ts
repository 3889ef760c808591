import { Router } from 'express';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { parseTaskId } from '../http/request-input.js';
import { sendEmpty, sendJson } from '../http/send-json.js';
import { putTaskConfigsHandlers } from './internal-requests.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/**
 * Task endpoints: `GET /connectors/:name/tasks` (TaskInfo list, secrets masked),
 * `GET …/tasks/:task/status` and `POST …/tasks/:task/restart` (204). A task id that is not a
 * non-negative integer is a 400; a well-formed id the connector lacks is the herder's 404. With
 * internal endpoints enabled, `POST …/tasks` is the signed worker-to-leader task config write.
 */
export function connectorTaskRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  const { herder, masker } = ctx;

  mountRoute(router, '/connectors/:name/tasks', {
    GET: async (req, res) => {
      const name = pathParam(req, 'name');
      const tasks = await herder.taskConfigs(name);
      // Task configs often lack `connector.class`, so secrecy is judged against the connector's config too.
      const connectorConfig = masker.enabled && tasks.length > 0 ? await herder.connectorConfig(name) : {};
      sendJson(res, 200, masker.taskInfos(tasks, connectorConfig));
    },
    // Internal (worker to leader), signed; absent when the app serves no internal endpoints.
    ...(ctx.internal === undefined ? {} : { POST: putTaskConfigsHandlers(ctx, ctx.internal) }),
  });

  mountRoute(router, '/connectors/:name/tasks/:task/status', {
    GET: async (req, res) => {
      const task = parseTaskId(pathParam(req, 'task'));
      sendJson(res, 200, await herder.taskStatus(pathParam(req, 'name'), task));
    },
  });

  mountRoute(router, '/connectors/:name/tasks/:task/restart', {
    POST: async (req, res) => {
      const task = parseTaskId(pathParam(req, 'task'));
      await herder.restartTask(pathParam(req, 'name'), task);
      sendEmpty(res, 204);
    },
  });
  return router;
}
