import type { AnyBulkWriteOperation, Document, MongoClient } from 'mongodb';
import { connectMongo } from '../connection/mongo-connection.js';

/** What the sink task needs from MongoDB; unit tests substitute fakes. */
export interface MongoSinkPort {
  /**
   * Runs one bulk write. Rejects with the driver's error: a bulk write error carries `writeErrors`
   * (each with the `index` of the failed operation and its `code`).
   */
  bulkWrite(db: string, coll: string, ops: AnyBulkWriteOperation<Document>[], ordered: boolean): Promise<void>;
  /** Closes the connection. Idempotent. */
  close(): Promise<void>;
}

export type MongoSinkPortFactory = (connectionUri: string, appName: string) => Promise<MongoSinkPort>;

/** The default port: the official Node.js driver. */
export const driverSinkPort: MongoSinkPortFactory = async (uri, appName) => {
  const client: MongoClient = await connectMongo(uri, appName);
  let closing: Promise<void> | null = null;
  return {
    async bulkWrite(db, coll, ops, ordered) {
      await client.db(db).collection(coll).bulkWrite(ops, { ordered });
    },
    close() {
      closing ??= client.close();
      return closing;
    },
  };
};
