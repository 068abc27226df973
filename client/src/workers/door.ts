/**
 * The typed door into a worker (STYLE rule 5). Handlers live with what they serve — the compute areas in
 * client/src/compute/ (combined by compute/registry.ts), the import feature's in
 * features/import/import-worker-handlers.ts — and each `*.worker.ts` here only exposes them with Comlink.
 * combineHandlers refuses a name registered twice; the UI talks to the combined type through a Comlink
 * proxy (compute/compute-client.ts, features/import/import-worker-client.ts).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handler arguments are each feature's own business
export type Handler = (...args: any[]) => unknown;
export type HandlerGroup = Record<string, Handler>;

/** `A | B` → `A & B`: the combined type of several handler groups. */
export type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export class DuplicateHandlerError extends Error {
  override readonly name = 'DuplicateHandlerError';
}

/** One object with every group's handlers; throws DuplicateHandlerError when two groups use a name. */
export function combineHandlers<G extends object[]>(...groups: G): UnionToIntersection<G[number]> {
  const combined: HandlerGroup = {};
  for (const group of groups) {
    for (const [name, handler] of Object.entries(group) as [string, unknown][]) {
      if (Object.hasOwn(combined, name)) throw new DuplicateHandlerError(`worker handler "${name}" is registered twice`);
      if (typeof handler !== 'function') throw new TypeError(`worker handler "${name}" is not a function`);
      combined[name] = handler as Handler;
    }
  }
  return combined as UnionToIntersection<G[number]>;
}
