import { AlreadyExistsError, ConfigValidationError, ConnectError, NotFoundError } from '@sluice/core';

/**
 * Re-issues a REST write on the worker that must run it (the leader, or the owner of a task), as
 * Kafka Connect does (`forward=true` marks a forwarded request). Errors come back as the same kind
 * of error so the local API answers with the remote status and message.
 */
export async function forwardRequest<T>(
  baseUrl: string,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  timeoutMs = 90_000,
  authorization?: string,
  /** an exact body (signed requests must send the bytes that were signed) and extra headers */
  raw?: { body: string; headers: Record<string, string> },
): Promise<{ status: number; body: T }> {
  const url = new URL(pathAndQuery, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('forward', 'true');
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        ...(body === undefined && !raw ? {} : { 'content-type': 'application/json' }),
        ...(authorization ? { authorization } : {}),
        ...(raw?.headers ?? {}),
      },
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ConnectError(`Cannot forward request to ${url.origin}: ${err instanceof Error ? err.message : String(err)}`, {
      retriable: true,
      cause: err,
    }, 'REBALANCE_IN_PROGRESS');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status >= 400) {
    const message = (parsed as { message?: string } | undefined)?.message ?? `HTTP ${res.status} from ${url.origin}`;
    if (res.status === 400) throw new ConfigValidationError(message);
    if (res.status === 404) throw new NotFoundError(message);
    if (res.status === 409) throw new AlreadyExistsError(message);
    throw new ConnectError(message);
  }
  return { status: res.status, body: parsed as T };
}
