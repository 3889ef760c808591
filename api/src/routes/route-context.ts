import type { Logger } from '@sluice/core';
import type { Herder } from '../herder.js';
import type { SecretMasker } from '../secrets/secret-masker.js';
import type { ClientOverrideOptions } from './client-override-gate.js';
import type { InternalRequestOptions } from './internal-requests.js';

/** What every route module receives from `createApp`; built once per app, read-only. */
export interface RouteContext {
  readonly herder: Herder;
  readonly logger: Logger;
  readonly masker: SecretMasker;
  readonly maxBodyBytes: number;
  /** Override policy enforced on create / PUT / PATCH / validate; undefined = the herder's business. */
  readonly clientOverrides: ClientOverrideOptions | undefined;
  /** Signed internal endpoints; undefined = not served here. */
  readonly internal: InternalRequestOptions | undefined;
}

/** Routers match paths case-sensitively, as Kafka Connect's Jersey resources do. */
export const ROUTER_OPTIONS = { caseSensitive: true, strict: false } as const;
