import { EventEmitter } from 'node:events';

/**
 * "Some session of this user was just revoked": told by AuthService after the revocation commits, heard by
 * this process's SSE streams, which then check their own session at once. Other server processes' streams
 * notice on their next periodic check (replication/routes.ts), so this is a speed-up, not the guarantee.
 * One hub per database object: every app over the same database shares the same sessions.
 */
export interface SessionEvents {
  revoked(userId: string): void;
  onRevoked(userId: string, listener: () => void): () => void;
}

const hubs = new WeakMap<object, SessionEvents>();

export function sessionEventsFor(db: object): SessionEvents {
  let hub = hubs.get(db);
  if (!hub) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    hub = {
      revoked: (userId) => void emitter.emit(userId),
      onRevoked(userId, listener) {
        emitter.on(userId, listener);
        return () => void emitter.off(userId, listener);
      },
    };
    hubs.set(db, hub);
  }
  return hub;
}
