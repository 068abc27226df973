import { ConfigError, loadConfig } from './config/config.ts';
import { createApp } from './http/app.ts';
import { AttachmentStore } from './attachments/store.ts';
import { dailyPurge, startPurgeJob } from './replication/purge-job.ts';
import { ReplicationService } from './replication/service.ts';
import { openServices } from './services.ts';
import { feedsFor } from './feeds/feeds.ts';
import { busFor } from './replication/bus.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const services = await openServices(config);
  const app = createApp(services);
  const server = app.listen(config.port, config.host, () => {
    const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite (${config.dataDir}/pglite)`;
    console.log(`MyMidas ${services.version} listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} — storage: ${where}`);
  });
  const replication = new ReplicationService({ db: services.db, cipher: services.cipher });
  const stopPurge = startPurgeJob({ purge: dailyPurge(replication, new AttachmentStore({ db: services.db, cipher: services.cipher })) });
  // Market feeds on their timetable (docs/feeds.md); FEEDS_ENABLED=false leaves them to the CLI.
  const feeds = feedsFor(services, busFor(services));
  if (feeds.config.enabled) feeds.runner.start(feeds.jobs);
  const stop = (): void => {
    stopPurge();
    void feeds.runner.stop();
    server.close(() => void services.close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('MyMidas failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
