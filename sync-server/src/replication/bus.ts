import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Services } from '../services.ts';

/** "These collections of this user moved": published after a push commits, delivered to SSE streams. */
export interface ChangeHint {
  userId: string;
  collections: string[];
}

export type HintListener = (hint: ChangeHint) => void;

/**
 * Fan-out of change hints. In one process an in-memory emitter; across several server processes
 * Redis pub/sub, so a stream held by one process hears about a push handled by another.
 */
export interface ChangeBus {
  readonly kind: 'memory' | 'redis';
  publish(hint: ChangeHint): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(userId: string, listener: HintListener): () => void;
  close(): Promise<void>;
}

/** This process's listeners, by user. */
class LocalListeners {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  deliver(hint: ChangeHint): void {
    this.emitter.emit(hint.userId, hint);
  }

  subscribe(userId: string, listener: HintListener): () => void {
    this.emitter.on(userId, listener);
    return () => this.emitter.off(userId, listener);
  }

  clear(): void {
    this.emitter.removeAllListeners();
  }
}

export class MemoryBus implements ChangeBus {
  readonly kind = 'memory' as const;
  private readonly local = new LocalListeners();

  publish(hint: ChangeHint): Promise<void> {
    this.local.deliver(hint);
    return Promise.resolve();
  }

  subscribe(userId: string, listener: HintListener): () => void {
    return this.local.subscribe(userId, listener);
  }

  close(): Promise<void> {
    this.local.clear();
    return Promise.resolve();
  }
}

/** One channel for all users; each process delivers to its own local streams. */
export class RedisBus implements ChangeBus {
  readonly kind = 'redis' as const;
  private readonly local = new LocalListeners();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  readonly ready: Promise<void>;

  constructor(url: string, prefix = 'mymidas:') {
    this.channel = `${prefix}replication-hints`;
    this.pub = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.sub = new Redis(url, { lazyConnect: false });
    for (const c of [this.pub, this.sub]) c.on('error', (err: Error) => console.error('redis (replication bus):', err.message));
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const hint = JSON.parse(message) as ChangeHint;
        if (typeof hint.userId === 'string' && Array.isArray(hint.collections)) this.local.deliver(hint);
      } catch {
        // a malformed message from another writer on the channel is ignored
      }
    });
    this.ready = this.sub.subscribe(this.channel).then(() => undefined);
  }

  async publish(hint: ChangeHint): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(hint));
  }

  subscribe(userId: string, listener: HintListener): () => void {
    return this.local.subscribe(userId, listener);
  }

  async close(): Promise<void> {
    this.local.clear();
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}

const buses = new WeakMap<Services, ChangeBus>();

/** The bus of a Services object: Redis when REDIS_URL is configured, else in-process. Built once. */
export function busFor(services: Services): ChangeBus {
  let bus = buses.get(services);
  if (!bus) {
    bus = services.config.redisUrl ? new RedisBus(services.config.redisUrl) : new MemoryBus();
    buses.set(services, bus);
  }
  return bus;
}
