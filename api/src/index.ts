export * from './herder.js';
export { createApp, type AppOptions, type EndpointSet } from './app.js';
export { HIDDEN_VALUE, type SecretKeys } from './secrets/secret-masker.js';
export type { ErrorBody } from './error-handler.js';
export { createRestServer, type TlsOptions } from './server/rest-server.js';
export { OPENAPI_DOCUMENT_PATH, openApiDocument } from './openapi/openapi-document.js';
export { TOPIC_TRACKING_DISABLED } from './routes/connector-topics.js';
export { LOG_LEVELS, type LoggerScope } from './routes/admin-loggers.js';
export type { ClientOverrideOptions } from './routes/client-override-gate.js';
export type { InternalRequestOptions } from './routes/internal-requests.js';
export { authenticate, type AuthOptions, type AuthenticateOptions, type Principal } from './security/authentication.js';
export { requireAuthFor, isLoopback, type ListenerAuthDecision } from './security/listener-auth.js';
export {
  hashPassword,
  verifyPassword,
  isPasswordHash,
  DEFAULT_SCRYPT_PARAMS,
  type ScryptParams,
} from './security/password-hash.js';
export {
  signRequest,
  verifyRequest,
  isSupportedSignatureAlgorithm,
  SIGNATURE_HEADER,
  SIGNATURE_ALGORITHM_HEADER,
  DEFAULT_SIGNATURE_ALGORITHM,
  type SessionKey,
  type SignatureCheck,
  type SignatureFailure,
} from './security/request-signature.js';
export {
  resolveConfigProviders,
  parseProperties,
  type ConfigProviderOptions,
  type ResolvedConfig,
} from './security/config-providers.js';
export {
  checkClientOverrides,
  isDangerousClientKey,
  DEFAULT_CLIENT_OVERRIDE_POLICY,
  DEFAULT_CLIENT_OVERRIDE_ALLOWLIST,
  type ClientOverridePolicy,
} from './security/client-overrides.js';
