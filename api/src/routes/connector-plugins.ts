import { Router } from 'express';
import type { ConfigInfos, ConfigKeyInfo } from '../herder.js';
import { jsonBody } from '../http/json-body.js';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { badRequest } from '../http/request-error.js';
import { booleanQuery, toConfigMap } from '../http/request-input.js';
import { sendJson } from '../http/send-json.js';
import { withOverrideErrors } from './client-override-gate.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

/**
 * `GET /connector-plugins` (`connectorsOnly`, default true), `GET /connector-plugins/:plugin/config`
 * and `PUT /connector-plugins/:plugin/config/validate`. Validation answers 200 with ConfigInfos even
 * when the config has errors; only a malformed request (no `connector.class`, or one that names a
 * different plugin than the path) is a 400.
 */
export function connectorPluginRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  const { herder, masker } = ctx;

  mountRoute(router, '/connector-plugins', {
    GET: (req, res) => sendJson(res, 200, herder.connectorPlugins(booleanQuery(req, 'connectorsOnly', true))),
  });

  mountRoute(router, '/connector-plugins/:plugin/config', {
    GET: (req, res) => sendJson(res, 200, herder.pluginConfig(pathParam(req, 'plugin')).map(wireConfigKey)),
  });

  mountRoute(router, '/connector-plugins/:plugin/config/validate', {
    PUT: [
      ...jsonBody(ctx.maxBodyBytes),
      async (req, res) => {
        const plugin = pathParam(req, 'plugin');
        const config = toConfigMap(req.body, 'Connector config');
        const connectorClass = config['connector.class'];
        if (connectorClass === undefined || connectorClass.trim() === '') {
          throw badRequest("Connector config contains no connector type: 'connector.class' is required");
        }
        if (!samePlugin(plugin, connectorClass)) {
          throw badRequest(`Included connector type ${connectorClass} does not match request type ${plugin}`);
        }
        const infos = await herder.validateConnectorConfig(config);
        sendJson(res, 200, wireConfigInfos(masker.configInfos(withOverrideErrors(ctx, infos, config), config)));
      },
    ],
  });
  return router;
}

/**
 * True when `a` and `b` name the same connector plugin, comparing simple names (the part after the
 * last `.`) with any trailing `Connector` removed, so `FileStreamSink`,
 * `FileStreamSinkConnector` and `org.apache.kafka.connect.file.FileStreamSinkConnector` all match.
 */
export function samePlugin(a: string, b: string): boolean {
  return pluginStem(a) === pluginStem(b);
}

function pluginStem(name: string): string {
  const trimmed = name.trim();
  const simple = trimmed.slice(trimmed.lastIndexOf('.') + 1);
  return simple.endsWith('Connector') && simple.length > 'Connector'.length
    ? simple.slice(0, -'Connector'.length)
    : simple;
}

/**
 * A config definition as Kafka Connect 4.x serialises it: the position within the group is the
 * JSON key `order_in_group` (the Herder port calls it `order`). Key order follows Kafka Connect's.
 */
export function wireConfigKey(key: ConfigKeyInfo): Record<string, unknown> {
  return {
    name: key.name,
    type: key.type,
    required: key.required,
    default_value: key.default_value,
    importance: key.importance,
    documentation: key.documentation,
    group: key.group,
    order_in_group: key.order,
    width: key.width,
    display_name: key.display_name,
    dependents: key.dependents,
  };
}

function wireConfigInfos(infos: ConfigInfos): Record<string, unknown> {
  return {
    ...infos,
    configs: infos.configs.map((c) => ({ ...c, definition: c.definition === null ? null : wireConfigKey(c.definition) })),
  };
}
