import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../sync-server/src/http/app.ts';
import { busFor } from '../../sync-server/src/replication/bus.ts';
import type { Services } from '../../sync-server/src/services.ts';
import { openTestServices, signedInUser } from '../../sync-server/src/testing/harness.ts';
import type { StorageBackend } from '../../sync-server/src/store/database.ts';

/**
 * The real sync server in this process over a test database (PGlite or PostgreSQL), which can be
 * "crashed" — every open connection dropped, in-flight answers lost, the port closed — and started
 * again over the same database on the same port. (kill-mid-push.test.ts covers killing the process.)
 */
export class TestSyncServer {
  #server: Server | null = null;
  #port = 0;
  restarts = 0;

  private constructor(readonly services: Services, readonly backend: StorageBackend) {}

  static async open(backend: StorageBackend): Promise<TestSyncServer> {
    const { services } = await openTestServices(backend);
    const server = new TestSyncServer(services, backend);
    await server.up();
    return server;
  }

  get base(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get apiBase(): string {
    return `${this.base}/api/v1`;
  }

  get running(): boolean {
    return this.#server !== null;
  }

  /** Starts listening (again) on the same port. */
  async up(): Promise<void> {
    if (this.#server) return;
    // Rate limits are the auth suite's business; here several devices sync flat out.
    const app = createApp(this.services, { log: () => undefined, policies: { api: { name: 'api', limit: 1_000_000, windowMs: 60_000 } } });
    for (let attempt = 0; ; attempt++) {
      try {
        this.#server = await new Promise<Server>((resolve, reject) => {
          const s = app.listen(this.#port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /** Drops every connection at once (answers in flight are lost) and stops listening. */
  async down(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    this.restarts++;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  newUser(): Promise<{ userId: string; token: string }> {
    return signedInUser(this.services);
  }

  /** Every document of a collection as the server holds it, deleted ones included. */
  async pullAll(token: string, collection: string): Promise<(Record<string, unknown> & { id: string; _deleted: boolean })[]> {
    const out: (Record<string, unknown> & { id: string; _deleted: boolean })[] = [];
    let checkpoint: string | null = null;
    for (;;) {
      const url = new URL(`${this.apiBase}/replication/${collection}/pull`);
      url.searchParams.set('limit', '1000');
      if (checkpoint) url.searchParams.set('checkpoint', checkpoint);
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`pull failed: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { documents: (Record<string, unknown> & { id: string; _deleted: boolean })[]; checkpoint: string | null };
      if (body.documents.length === 0) return out;
      out.push(...body.documents);
      checkpoint = body.checkpoint;
    }
  }

  async close(): Promise<void> {
    await this.down();
    await busFor(this.services).close();
    await this.services.close();
  }
}
