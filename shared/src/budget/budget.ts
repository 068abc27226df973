/** `@mymidas/shared/budget`: the budget engine (issue 20). Pure; run by the compute worker over the snapshot. */
export type * from './types.ts';
