import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of `api/openapi.json`, the OpenAPI 3.1 description of the whole REST API kept in
 * the repository and shipped in the package. Resolves the same from `src/` (tests) and `dist/`.
 */
export const OPENAPI_DOCUMENT_PATH = fileURLToPath(new URL('../../openapi.json', import.meta.url));

let cached: Readonly<Record<string, unknown>> | undefined;

/**
 * The parsed OpenAPI document, read once per process and then shared; callers must not mutate it.
 * Throws if the file is missing or not JSON (a broken package, not a runtime condition).
 */
export function openApiDocument(): Readonly<Record<string, unknown>> {
  cached ??= Object.freeze(JSON.parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')) as Record<string, unknown>);
  return cached;
}
