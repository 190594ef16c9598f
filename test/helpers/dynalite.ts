// An in-process, in-memory DynamoDB-compatible server (dynalite) on a random loopback port, with the
// project's tables created from the same definitions the templates render.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { envName } from '../../core/config/knob';
import { createDocumentClient } from '../../core/shared/dynamodb';
import { createTables, tableNamesWithPrefix, type TableNames } from '../../core/shared/table-setup';
import { TABLES, TABLE_IDS } from '../../core/shared/tables';

/**
 * The variables that point a gateway at a DynamoDB endpoint and its tables, named from the table
 * definitions as the stack names them.
 */
export function storeEnv(endpoint: string, tables: TableNames): Record<string, string> {
  return {
    SENTINEL_API_DYNAMODB_ENDPOINT: endpoint,
    ...Object.fromEntries(TABLE_IDS.map((id) => [envName(TABLES[id].nameKey), tables[id]])),
  };
}

export interface DynaliteServer {
  endpoint: string;
  /** Counts every request the store received (DynamoDB calls per request are asserted with it). */
  requestCount(): number;
  /** A DocumentClient pointed at this server. */
  documentClient(): DynamoDBDocumentClient;
  /** Creates the three tables under a fresh random prefix and returns their names. */
  createTables(prefix?: string): Promise<TableNames>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: Array<{ destroy(): void }> = [];
  return {
    endpoint,
    requestCount: () => requests,
    documentClient() {
      const client = createDocumentClient({ endpoint });
      clients.push(client);
      return client;
    },
    async createTables(prefix = `t${randomBytes(4).toString('hex')}-`) {
      const client = new DynamoDBClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      clients.push(client);
      const names = tableNamesWithPrefix(prefix);
      await createTables(client, names);
      return names;
    },
    async stop() {
      for (const client of clients) client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
