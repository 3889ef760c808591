import { ConfigValidationError, noopLogger, type Logger } from '@sluice/core';
import express, { type Request } from 'express';
import { errorHandler, unknownPath } from './error-handler.js';
import type { Herder } from './herder.js';
import { DEFAULT_MAX_BODY_BYTES } from './http/json-body.js';
import { adminLoggerRoutes } from './routes/admin-loggers.js';
import type { ClientOverrideOptions } from './routes/client-override-gate.js';
import { connectorOffsetRoutes } from './routes/connector-offsets.js';
import { connectorPluginRoutes } from './routes/connector-plugins.js';
import { connectorTaskRoutes } from './routes/connector-tasks.js';
import { connectorTopicRoutes } from './routes/connector-topics.js';
import { connectorRoutes } from './routes/connectors.js';
import { internalRoutes, isInternalRequest, type InternalRequestOptions } from './routes/internal-requests.js';
import { openApiRoutes } from './routes/openapi.js';
import { rootRoutes } from './routes/root.js';
import type { RouteContext } from './routes/route-context.js';
import { createSecretMasker, type SecretKeys } from './secrets/secret-masker.js';
import { authenticate, type AuthOptions } from './security/authentication.js';

/**
 * Which endpoints one listener serves: `all` (one listener, Kafka Connect's default), `public`
 * (everything but `/admin/*`) or `admin` (only `/admin/*`, for `admin.listeners`).
 */
export type EndpointSet = 'all' | 'public' | 'admin';

/** Options for {@link createApp}. */
export interface AppOptions {
  /** The herder every request is served by; the app never caches its answers. */
  herder: Herder;
  /** Receives server faults (error, with stack) and rejected requests (debug). Default: discard. */
  logger?: Logger;
  /** Largest accepted request body; bigger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Names the secret keys of a connector config; their values are shown as `[hidden]`. */
  secretKeys?: SecretKeys;
  /**
   * Credentials callers must present (401 otherwise). Undefined = no authentication: only for a
   * loopback listener; decide with `requireAuthFor(listenerHost, auth)`.
   */
  auth?: AuthOptions;
  /** Serve `GET /health` without credentials, for load balancers and probes. Default true. */
  publicHealth?: boolean;
  /** The endpoints this listener serves. Default `all`. */
  endpoints?: EndpointSet;
  /**
   * Serve the signed worker-to-worker endpoints (`POST /connectors/:name/tasks`,
   * `PUT /connectors/:name/fence`). Their signature stands in for user authentication. Undefined:
   * not served (standalone).
   */
  internal?: InternalRequestOptions;
  /** Enforce `connector.client.config.override.policy` on create / PUT / PATCH / validate. */
  clientOverrides?: ClientOverrideOptions;
}

/**
 * Builds the Kafka-Connect-compatible REST API as an Express app over `herder`. The caller owns
 * the HTTP server (`createRestServer(app, tls)` or `http.createServer(app)`); nothing listens
 * here. Responses are `application/json`; errors are `{"error_code", "message"}` with the status
 * chosen by the error handler alone. Authentication runs before any route, so unauthenticated
 * callers learn nothing about paths. Throws ConfigValidationError for invalid options.
 */
export function createApp(options: AppOptions): express.Express {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ConfigValidationError(`maxBodyBytes must be a positive integer, got ${maxBodyBytes}`, [
      { name: 'maxBodyBytes', errors: ['must be a positive integer'] },
    ]);
  }
  const logger = options.logger ?? noopLogger;
  const endpoints = options.endpoints ?? 'all';
  const ctx: RouteContext = {
    herder: options.herder,
    logger,
    masker: createSecretMasker(options.secretKeys),
    maxBodyBytes,
    clientOverrides: options.clientOverrides,
    internal: endpoints === 'admin' ? undefined : options.internal,
  };
  const publicHealth = options.publicHealth ?? true;
  const isPublic = (req: Request): boolean =>
    (publicHealth && (req.method === 'GET' || req.method === 'HEAD') && /^\/health\/?$/.test(req.path)) ||
    (ctx.internal !== undefined && isInternalRequest(req));

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);
  // Repeated parameters (`expand=status&expand=info`) become arrays; no nested-object syntax.
  app.set('query parser', 'simple');

  app.use(authenticate(options.auth, { isPublic }));
  if (endpoints !== 'admin') {
    app.use(
      rootRoutes(ctx),
      openApiRoutes(),
      connectorRoutes(ctx),
      connectorTaskRoutes(ctx),
      connectorTopicRoutes(ctx),
      connectorOffsetRoutes(ctx),
      connectorPluginRoutes(ctx),
    );
    if (ctx.internal !== undefined) app.use(internalRoutes(ctx, ctx.internal));
  }
  if (endpoints !== 'public') app.use(adminLoggerRoutes(ctx));
  app.use(unknownPath());
  app.use(errorHandler(logger));
  return app;
}
