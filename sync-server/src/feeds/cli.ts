import { loadConfig } from '../config/config.ts';
import { JOB_NAMES, type JobName } from '../jobs/runner.ts';
import { busFor } from '../replication/bus.ts';
import { openServices } from '../services.ts';
import { feedsFor } from './feeds.ts';
import { readFeedStatus } from './status.ts';

/**
 * `mymidas feeds run <prices|fx|backfill|net-worth>` runs one job once, now, under the same lease as the
 * scheduler (exit 0 done, 1 failed, 5 when another process is running it); `mymidas feeds status` prints
 * what /api/v1/feeds/status answers, as JSON.
 */
export async function feedsCommand(argv: readonly string[]): Promise<void> {
  const [sub, name] = argv;
  if (sub !== 'run' && sub !== 'status') throw new Error(`usage: feeds run <${JOB_NAMES.join('|')}> | feeds status`);
  if (sub === 'run' && !JOB_NAMES.includes(name as JobName)) throw new Error(`usage: feeds run <${JOB_NAMES.join('|')}>`);
  const services = await openServices(loadConfig(process.env));
  try {
    if (sub === 'status') {
      console.log(JSON.stringify(await readFeedStatus(services.db), null, 2));
      return;
    }
    const feeds = feedsFor(services, busFor(services));
    const outcome = await feeds.runner.runOnce(feeds.job(name as JobName));
    if (outcome.status === 'busy') {
      console.error(`${name} is running in another process; not run`);
      process.exitCode = 5;
    } else if (outcome.status === 'failed') {
      console.error(`${name} failed: ${outcome.error}`);
      process.exitCode = 1;
    } else {
      console.log(JSON.stringify(outcome.summary));
      for (const p of outcome.problems) console.error(`problem: ${p}`);
    }
  } finally {
    await busFor(services).close();
    await services.close();
  }
}
