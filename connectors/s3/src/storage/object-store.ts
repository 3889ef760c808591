/** One object as a listing reports it. */
export interface ObjectInfo {
  readonly key: string;
  readonly sizeBytes: number;
}

/**
 * An object being written. Bytes are streamed out as they come (in parts of the store's part size),
 * so memory stays bounded however large the object grows; the object becomes visible only when
 * `complete` resolves, atomically — readers never see a partial object.
 */
export interface ObjectUpload {
  readonly key: string;
  /**
   * Appends bytes. Resolves once the upload accepted them, which may wait for a part upload to
   * finish (backpressure). Rejects if the upload already failed. Must not be called concurrently.
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Finishes the object and applies `tags` (when given). Rejects if the upload failed; then nothing is visible. */
  complete(tags?: Readonly<Record<string, string>>): Promise<void>;
  /** Gives up on the object; nothing becomes visible. Never rejects; idempotent. */
  abort(): Promise<void>;
}

/**
 * The port the connectors use to reach object storage. `S3ObjectStore` implements it over the AWS
 * SDK; unit tests use an in-memory one. Errors are `ConnectError`s; transient ones have already been
 * retried by the implementation.
 */
export interface ObjectStore {
  /** Starts writing `key` (replacing any object with that key once complete). */
  startUpload(key: string): ObjectUpload;
  /** Lists objects under `prefix` in key order (UTF-8 binary order, as S3 does), page by page. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<ObjectInfo>;
  /** Reads an object as its bytes arrive. Rejects with a NotFoundError when it does not exist. */
  readStream(key: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** Releases connections. Idempotent. */
  close(): void;
}
