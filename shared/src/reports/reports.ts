/** `@mymidas/shared/reports`: the seven reports (issue 23) and CSV export. Pure; run by the compute worker over the snapshot. */
export * from './types.ts';
