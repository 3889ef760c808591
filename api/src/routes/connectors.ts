import { NotFoundError } from '@sluice/core';
import { Router, type Request, type Response } from 'express';
import type { InitialState } from '../herder.js';
import { jsonBody } from '../http/json-body.js';
import { mountRoute, pathParam } from '../http/method-routes.js';
import { badRequest } from '../http/request-error.js';
import {
  booleanQuery,
  queryValues,
  requireConnectorName,
  requireObject,
  toConfigMap,
  toConfigPatch,
} from '../http/request-input.js';
import { sendEmpty, sendJson } from '../http/send-json.js';
import { enforceClientOverrides } from './client-override-gate.js';
import { ROUTER_OPTIONS, type RouteContext } from './route-context.js';

const INITIAL_STATES: readonly InitialState[] = ['RUNNING', 'PAUSED', 'STOPPED'];

/**
 * The connector lifecycle endpoints under `/connectors`: list (with `expand`), create, info,
 * config (GET/PUT/PATCH), status, restart, pause, resume, stop and delete. Task and offset
 * endpoints live in their own modules. Status codes and bodies follow Kafka Connect exactly; the
 * hidden `forward` query parameter is accepted and ignored (no forwarding yet).
 */
export function connectorRoutes(ctx: RouteContext): Router {
  const router = Router(ROUTER_OPTIONS);
  const { herder, masker } = ctx;
  const body = jsonBody(ctx.maxBodyBytes);

  mountRoute(router, '/connectors', {
    GET: (req, res) => listConnectors(ctx, req, res),
    POST: [...body, (req, res) => createConnector(ctx, req, res)],
  });

  mountRoute(router, '/connectors/:name', {
    GET: async (req, res) =>
      sendJson(res, 200, masker.connectorInfo(await herder.connectorInfo(pathParam(req, 'name')))),
    DELETE: async (req, res) => {
      await herder.deleteConnector(pathParam(req, 'name'));
      sendEmpty(res, 204);
    },
  });

  mountRoute(router, '/connectors/:name/config', {
    GET: async (req, res) => sendJson(res, 200, masker.config(await herder.connectorConfig(pathParam(req, 'name')))),
    PUT: [...body, (req, res) => putConfig(ctx, req, res)],
    PATCH: [...body, (req, res) => patchConfig(ctx, req, res)],
  });

  mountRoute(router, '/connectors/:name/status', {
    GET: async (req, res) => sendJson(res, 200, await herder.connectorStatus(pathParam(req, 'name'))),
  });

  mountRoute(router, '/connectors/:name/restart', {
    POST: async (req, res) => {
      const includeTasks = booleanQuery(req, 'includeTasks', false);
      const onlyFailed = booleanQuery(req, 'onlyFailed', false);
      const plan = await herder.restartConnector(pathParam(req, 'name'), { includeTasks, onlyFailed });
      // null is the legacy "connector instance only" restart, which Kafka Connect answers with no body.
      if (plan === null) sendEmpty(res, 204);
      else sendJson(res, 202, plan);
    },
  });

  mountRoute(router, '/connectors/:name/pause', {
    PUT: async (req, res) => {
      await herder.pauseConnector(pathParam(req, 'name'));
      sendEmpty(res, 202);
    },
  });
  mountRoute(router, '/connectors/:name/resume', {
    PUT: async (req, res) => {
      await herder.resumeConnector(pathParam(req, 'name'));
      sendEmpty(res, 202);
    },
  });
  mountRoute(router, '/connectors/:name/stop', {
    PUT: async (req, res) => {
      await herder.stopConnector(pathParam(req, 'name'));
      sendEmpty(res, 204);
    },
  });
  return router;
}

/**
 * Without `expand`: the names. With any `expand` (repeatable, comma lists accepted): an object per
 * connector holding the requested `status` / `info`; unknown values add nothing. A connector deleted
 * while the listing is built is left out instead of failing the whole request.
 */
async function listConnectors(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const names = await ctx.herder.connectors();
  if (!Object.hasOwn(req.query, 'expand')) {
    sendJson(res, 200, names);
    return;
  }
  const expansions = new Set(
    queryValues(req, 'expand').flatMap((v) => v.split(',').map((part) => part.trim().toLowerCase())),
  );
  const wantStatus = expansions.has('status');
  const wantInfo = expansions.has('info');
  const entries = await Promise.all(
    names.map(async (name) => {
      try {
        const expanded: Record<string, unknown> = {};
        if (wantStatus) expanded['status'] = await ctx.herder.connectorStatus(name);
        if (wantInfo) expanded['info'] = ctx.masker.connectorInfo(await ctx.herder.connectorInfo(name));
        return [name, expanded] as const;
      } catch (err) {
        if (NotFoundError.is(err)) {
          ctx.logger.debug('Connector disappeared while listing connectors; leaving it out', { connector: name });
          return undefined;
        }
        throw err;
      }
    }),
  );
  sendJson(res, 200, Object.fromEntries(entries.filter((e) => e !== undefined)));
}

/** `POST /connectors` with `{name, config, initial_state?}` → 201, `Location`, ConnectorInfo. */
async function createConnector(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const request = requireObject(req.body, 'Request body');
  const rawName = request['name'] ?? '';
  if (typeof rawName !== 'string') throw badRequest("'name' must be a string");
  const name = requireConnectorName(rawName.trim());
  const config = toConfigMap(request['config'], "'config'");
  checkConfigName(config, name, 'the request body');
  const initialState = parseInitialState(request['initial_state']);
  await enforceClientOverrides(ctx, withName(config, name));
  const result = await ctx.herder.putConnectorConfig(name, withName(config, name), {
    allowReplace: false,
    ...(initialState === undefined ? {} : { initialState }),
  });
  res.setHeader('Location', connectorLocation(name));
  sendJson(res, 201, ctx.masker.connectorInfo(result.info));
}

/** `PUT /connectors/:name/config`: create-or-replace; 201 + `Location` when created, else 200. */
async function putConfig(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const name = requireConnectorName(pathParam(req, 'name'));
  const config = toConfigMap(req.body, 'Connector config');
  checkConfigName(config, name, 'the URL');
  await enforceClientOverrides(ctx, withName(config, name));
  const result = await ctx.herder.putConnectorConfig(name, withName(config, name), { allowReplace: true });
  if (result.created) res.setHeader('Location', connectorLocation(name));
  sendJson(res, result.created ? 201 : 200, ctx.masker.connectorInfo(result.info));
}

/** `PATCH /connectors/:name/config`: a JSON null removes a key; never creates (herder → 404). */
async function patchConfig(ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const name = pathParam(req, 'name');
  const patch = toConfigPatch(req.body, 'Connector config patch');
  if (Object.hasOwn(patch, 'name')) {
    const patchedName = patch['name'];
    if (patchedName === null) throw badRequest("The 'name' configuration of a connector can not be removed");
    if (patchedName !== name) {
      throw badRequest(
        `Connector name configuration (${patchedName}) doesn't match connector name in the URL (${name})`,
      );
    }
  }
  if (ctx.clientOverrides !== undefined) {
    const merged = { ...(await ctx.herder.connectorConfig(name)) };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    await enforceClientOverrides(ctx, merged);
  }
  sendJson(res, 200, ctx.masker.connectorInfo(await ctx.herder.patchConnectorConfig(name, patch)));
}

function checkConfigName(config: Record<string, string>, name: string, where: string): void {
  if (Object.hasOwn(config, 'name') && config['name'] !== name) {
    throw badRequest(
      `Connector name configuration (${config['name']}) doesn't match connector name in ${where} (${name})`,
    );
  }
}

function withName(config: Record<string, string>, name: string): Record<string, string> {
  return { ...config, name };
}

function parseInitialState(raw: unknown): InitialState | undefined {
  if (raw === undefined || raw === null) return undefined;
  const state = typeof raw === 'string' ? INITIAL_STATES.find((s) => s === raw.trim().toUpperCase()) : undefined;
  if (state === undefined) {
    throw badRequest(`Invalid initial_state ${JSON.stringify(raw)}; expected one of ${INITIAL_STATES.join(', ')}`);
  }
  return state;
}

/** The same path the connector is served at; the name is percent-encoded so it stays one segment. */
function connectorLocation(name: string): string {
  return `/connectors/${encodeURIComponent(name)}`;
}
