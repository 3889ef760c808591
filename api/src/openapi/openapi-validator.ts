import { createRequire } from 'node:module';
import { openApiDocument } from './openapi-document.js';

/** The slice of ajv's API used here. */
interface ValidateFunction {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params: unknown }[] | null;
}
interface AjvInstance {
  addSchema(schema: object): unknown;
  compile(schema: object): ValidateFunction;
}
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

/**
 * ajv 8 is a dependency of @sluice/core, not (yet) of this package, so it is loaded from core's
 * location; npm may hoist a different major (eslint's ajv 6) to the root.
 */
function loadAjv2020(): AjvConstructor {
  const corePackage = createRequire(import.meta.url).resolve('@sluice/core/package.json');
  const requireFromCore = createRequire(corePackage);
  return (requireFromCore('ajv/dist/2020.js') as { Ajv2020: AjvConstructor }).Ajv2020;
}

/** One HTTP exchange as a test saw it. */
export interface ObservedResponse {
  method: string;
  /** Request path, optionally with a query string (ignored). */
  path: string;
  status: number;
  /** The response's Content-Type header, if any. */
  contentType?: string | undefined;
  /** Raw response text; empty for no body. */
  body: string;
}

/** Checks responses against the OpenAPI document. */
export interface OpenApiValidator {
  /**
   * Every way `response` departs from the document (empty when it conforms): an undocumented path,
   * method or status, a body where none is documented (or none where one is), a content type other
   * than `application/json`, or a body failing the JSON Schema. Never throws.
   */
  check(response: ObservedResponse): string[];
  /** Like {@link check}, but throws an Error listing the problems. */
  assert(response: ObservedResponse): void;
}

type Json = Record<string, unknown>;
interface Operation {
  statuses: Map<string, { schema: Json | null }>;
}
interface PathEntry {
  template: string;
  pattern: RegExp;
  /** Literal segments count: more specific templates win when several match. */
  literals: number;
  operations: Map<string, Operation>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const DOC_ID = 'sluice-openapi';

/**
 * Builds a validator for `document` (default: the package's `openapi.json`). Response schemas are
 * compiled once, with JSON Schema 2020-12 (OpenAPI 3.1's dialect). Paths not served for a method
 * must answer 405 (or 204 to OPTIONS) with the error body; unknown paths 404 — the API's generic
 * behaviour, which the document states once rather than per operation. For test code: it pulls in
 * ajv, which the runtime API does not need.
 */
export function createOpenApiValidator(document: Readonly<Json> = openApiDocument()): OpenApiValidator {
  const Ajv2020 = loadAjv2020();
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema({ $id: DOC_ID, components: document['components'] ?? {} });
  const compiled = new Map<string, ValidateFunction>();
  const compile = (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    let fn = compiled.get(key);
    if (fn === undefined) {
      fn = ajv.compile(rebase(schema) as Json);
      compiled.set(key, fn);
    }
    return fn;
  };
  const errorSchema = { $ref: '#/components/schemas/ErrorBody' };
  const entries = buildPaths(document);

  const check = (res: ObservedResponse): string[] => {
    const method = res.method.toUpperCase();
    const path = decodePathForMatch(res.path);
    const where = `${method} ${res.path} → ${res.status}`;
    const match = entries
      .filter((e) => e.pattern.test(path))
      .sort((a, b) => b.literals - a.literals)[0];
    if (match === undefined) {
      return res.status === 404 || res.status === 401 || res.status === 400
        ? checkBody(where, res, errorSchema)
        : [`${where}: path not in the OpenAPI document`];
    }
    const opKey = method === 'HEAD' ? 'get' : method.toLowerCase();
    const operation = match.operations.get(opKey);
    if (method === 'OPTIONS' && operation === undefined) {
      return res.status === 204 ? [] : res.status === 401 ? checkBody(where, res, errorSchema) : [`${where}: OPTIONS must answer 204`];
    }
    if (operation === undefined) {
      return res.status === 405 || res.status === 401
        ? checkBody(where, res, errorSchema)
        : [`${where}: ${method} is not documented for ${match.template} (expected 405)`];
    }
    const documented = operation.statuses.get(String(res.status)) ?? operation.statuses.get('default');
    if (documented === undefined) {
      return [`${where}: status ${res.status} is not documented for ${method} ${match.template}`];
    }
    if (method === 'HEAD') return [];
    return checkBody(where, res, documented.schema);
  };

  const checkBody = (where: string, res: ObservedResponse, schema: Json | null): string[] => {
    if (schema === null) {
      return res.body === '' ? [] : [`${where}: documented without a body but got ${res.body.length} bytes`];
    }
    if (res.contentType?.split(';')[0]?.trim() !== 'application/json') {
      return [`${where}: content type '${res.contentType ?? ''}' is not application/json`];
    }
    let value: unknown;
    try {
      value = JSON.parse(res.body);
    } catch {
      return [`${where}: body is not JSON`];
    }
    const validate = compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
  };

  return {
    check,
    assert: (res) => {
      const problems = check(res);
      if (problems.length > 0) throw new Error(`Response does not match the OpenAPI document:\n${problems.join('\n')}`);
    },
  };
}

function buildPaths(document: Readonly<Json>): PathEntry[] {
  const paths = (document['paths'] ?? {}) as Record<string, Json>;
  const components = (document['components'] ?? {}) as Json;
  return Object.entries(paths).map(([template, item]) => {
    const operations = new Map<string, Operation>();
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (op === undefined) continue;
      const statuses = new Map<string, { schema: Json | null }>();
      for (const [status, raw] of Object.entries((op['responses'] ?? {}) as Record<string, Json>)) {
        const response = resolveResponse(raw, components);
        const content = response['content'] as Record<string, Json> | undefined;
        const media = content?.['application/json'];
        statuses.set(status, { schema: media === undefined ? null : ((media['schema'] as Json | undefined) ?? {}) });
      }
      operations.set(method, { statuses });
    }
    const segments = template.split('/').filter((s) => s !== '');
    const pattern = new RegExp(
      `^/${segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : escapeRegExp(s))).join('/')}/?$`,
    );
    return { template, pattern, literals: segments.filter((s) => !s.startsWith('{')).length, operations };
  });
}

function resolveResponse(raw: Json, components: Json): Json {
  const ref = raw['$ref'];
  if (typeof ref !== 'string') return raw;
  const name = ref.replace('#/components/responses/', '');
  const found = ((components['responses'] ?? {}) as Record<string, Json>)[name];
  if (found === undefined) throw new Error(`Unresolvable response reference ${ref}`);
  return found;
}

/** Points `#/components/...` references at the registered document. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : rebase(v),
    ]),
  );
}

function decodePathForMatch(path: string): string {
  const bare = path.split('?')[0] ?? '';
  return bare === '' ? '/' : bare;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
