import { formatHlc, HlcError, initialHlc, parseHlc, receive, tick, type Hlc } from '@mymidas/shared/sync';
import { readDeviceState, type ReplicaDatabase } from '../db/database.ts';

/**
 * This device's hybrid logical clock (rules in @mymidas/shared/sync, hlc.ts), the one clock that stamps
 * every local edit of a replicated document. Each edit carries a fresh stamp in its `hlc` field; pulled
 * documents and the documents being edited move the clock past their stamps, so the next local edit
 * sorts after everything this device has seen.
 *
 * There is one clock per open replica (`replicaClock(db)`): its node id is the device id, it resumes
 * from the last stamp it saved in the replica, and it saves its latest stamp as it goes. The session
 * wiring (session-sync.ts) installs that same clock for the sync engine and for `stampDoc`/`nextStamp`;
 * code that has the database at hand (harness pages, tests, screens opened before sync starts) asks
 * for it with `replicaClock(db)` or `stampAfter(db, ...)` and gets the same instance.
 */
export interface DeviceClockOptions {
  /** Node id: this device's id (lower-case UUID). */
  readonly node: string;
  /** The last stamp this device issued or saw, e.g. from a previous session. */
  readonly last?: string | null;
  /** Wall clock, injectable for tests. */
  readonly now?: () => number;
  /** Called after every change with the clock's latest stamp, e.g. to persist it. */
  readonly onChange?: (stamp: string) => void;
}

export class DeviceClock {
  #last: Hlc;
  readonly #now: () => number;
  readonly #onChange: ((stamp: string) => void) | undefined;

  constructor(options: DeviceClockOptions) {
    const node = options.node.toLowerCase();
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
    this.#last = initialHlc(node);
    if (options.last) {
      const stored = parseHlc(options.last);
      this.#last = { ms: stored.ms, counter: stored.counter, node };
    }
  }

  get node(): string {
    return this.#last.node;
  }

  /** The latest stamp issued or seen. */
  get last(): string {
    return formatHlc(this.#last);
  }

  /** The stamp for a new local edit: always later than every stamp issued or seen before. */
  nextStamp(): string {
    this.#last = tick(this.#last, this.#now());
    const stamp = formatHlc(this.#last);
    this.#onChange?.(stamp);
    return stamp;
  }

  /**
   * Moves the clock past a stamp seen on a pulled document. A stamp that is malformed or more than
   * 24 h ahead of this device's wall clock is not adopted (returns false); the document is kept as is.
   */
  observe(stamp: unknown): boolean {
    if (typeof stamp !== 'string') return false;
    try {
      const remote = parseHlc(stamp);
      if (remote.ms < this.#last.ms || (remote.ms === this.#last.ms && remote.counter < this.#last.counter)) return true;
      this.#last = receive(this.#last, remote, this.#now());
      this.#onChange?.(formatHlc(this.#last));
      return true;
    } catch (error) {
      if (error instanceof HlcError) return false;
      throw error;
    }
  }

  /** A copy of the document with a fresh `hlc` stamp: use for every local create or edit. */
  stampDoc<D extends object>(doc: D): D & { hlc: string } {
    return { ...doc, hlc: this.nextStamp() };
  }
}

let active: DeviceClock | null = null;

/** Installs the clock of the unlocked replica (null on lock). Called by the session wiring. */
export function setDeviceClock(clock: DeviceClock | null): void {
  active = clock;
}

/** The clock of the unlocked replica; throws while the device is locked. */
export function deviceClock(): DeviceClock {
  if (!active) throw new Error('The device clock is not running: unlock the replica first.');
  return active;
}

/** The stamp for a new local edit on this device. */
export function nextStamp(): string {
  return deviceClock().nextStamp();
}

/** A copy of `doc` stamped for a local edit on this device: `collection.insert(stampDoc({...}))`, `doc.incrementalPatch(stampDoc({ amount }))`. */
export function stampDoc<D extends object>(doc: D): D & { hlc: string } {
  return deviceClock().stampDoc(doc);
}

/** Local document holding the clock's last stamp, so it never runs backwards across reloads. */
export const CLOCK_DOC = 'sync-clock';
const CLOCK_SAVE_MS = 2_000;

const replicaClocks = new WeakMap<ReplicaDatabase, Promise<DeviceClock>>();

async function openReplicaClock(db: ReplicaDatabase): Promise<DeviceClock> {
  const device = await readDeviceState(db, 'device');
  if (!device) throw new Error('This replica has no device record.');
  const stored = await db.getLocal<{ last: string }>(CLOCK_DOC);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = '';
  return new DeviceClock({
    node: device.deviceId,
    last: stored ? (stored.toJSON().data as { last: string }).last : null,
    onChange(stamp) {
      latest = stamp;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (!db.closed) void db.upsertLocal(CLOCK_DOC, { last: latest }).catch(() => undefined);
      }, CLOCK_SAVE_MS);
    },
  });
}

/** The clock of an open replica: the same instance for every caller while the database is open. */
export function replicaClock(db: ReplicaDatabase): Promise<DeviceClock> {
  let clock = replicaClocks.get(db);
  if (!clock) {
    clock = openReplicaClock(db);
    replicaClocks.set(db, clock);
    clock.catch(() => replicaClocks.delete(db));
  }
  return clock;
}

/**
 * The stamp for a local edit of documents whose current stamps are `previous` (none for a new
 * document): the replica's clock observes each of them first, so the edit sorts after them.
 */
export async function stampAfter(db: ReplicaDatabase, ...previous: (string | null | undefined)[]): Promise<string> {
  const clock = await replicaClock(db);
  for (const p of previous) if (p) clock.observe(p);
  return clock.nextStamp();
}
