import { formatHlc, HlcError, initialHlc, parseHlc, receive, tick, type Hlc } from '@mymidas/shared/sync';

/**
 * This device's hybrid logical clock (rules in shared/src/sync/hlc.ts). Every local edit of a replicated
 * document carries a fresh stamp in its `hlc` field; pulled documents move the clock past their stamps,
 * so the next local edit sorts after everything this device has seen.
 *
 * Screens use `stampDoc(doc)` / `nextStamp()`, which act on the clock of the unlocked replica
 * (installed by the session wiring, see session-sync.ts). The replication engine and tests hold their
 * own DeviceClock instances.
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
