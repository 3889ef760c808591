// The part of pg-copy-streams (CommonJS, untyped) the sink uses.
declare module 'pg-copy-streams' {
  import type { Writable } from 'node:stream';
  import type { Submittable } from 'pg';
  export interface CopyFromStream extends Writable, Submittable {
    readonly rowCount: number;
  }
  export function from(text: string): CopyFromStream;
  const copyStreams: { from: typeof from };
  export default copyStreams;
}
