export {
  createOpenApiValidator,
  type ObservedResponse,
  type OpenApiValidator,
} from './openapi-validator.js';
export { OPENAPI_DOCUMENT_PATH, openApiDocument } from './openapi-document.js';
