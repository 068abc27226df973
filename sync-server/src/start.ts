import { ConfigError, loadConfig } from './config/config.ts';
import { createApp } from './http/app.ts';
import { AttachmentStore } from './attachments/store.ts';
import { dailyPurge, startPurgeJob } from './replication/purge-job.ts';
import { ReplicationService } from './replication/service.ts';
import { openServices, type Services } from './services.ts';

/** How long a shutdown waits for requests in flight (a push of 1,000 rows) before closing anyway. */
const DRAIN_TIMEOUT_MS = Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000);

async function main(): Promise<void> {
  let config;
  let services: Services;
  try {
    config = loadConfig(process.env);
    services = await openServices(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const { logger } = services;
  const app = createApp(services);
  const server = app.listen(config.port, config.host, () => {
    const where = config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite';
    logger.log('info', 'server.listening', {
      version: services.version,
      url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`,
      storage: where,
      backupSchedule: services.backups.status().schedule,
    });
  });
  const replication = new ReplicationService({ db: services.db, cipher: services.cipher });
  const stopPurge = startPurgeJob({ purge: dailyPurge(replication, new AttachmentStore({ db: services.db, cipher: services.cipher })) });
  services.backups.start();

  let stopping = false;
  /**
   * SIGTERM / SIGINT: stop taking requests (new ones get 503 and the listening socket closes), end the
   * change streams with a retry hint, let requests in flight finish (a push commits whole), stop the jobs
   * (a backup in progress finishes), close the database, exit 0.
   */
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'shutdown.start', { signal, inFlight: services.lifecycle.requestsInFlight });
    const drained = services.lifecycle.drain(DRAIN_TIMEOUT_MS);
    server.close();
    server.closeIdleConnections();
    const { timedOut, left } = await drained;
    if (timedOut) logger.log('warn', 'shutdown.timeout', { requestsLeft: left });
    stopPurge();
    server.closeAllConnections();
    try {
      await services.close();
      logger.log('info', 'shutdown.done', {});
      process.exit(0);
    } catch (err) {
      logger.log('error', 'shutdown.failed', { error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('MyMidas failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
