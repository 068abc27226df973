/** `@mymidas/shared/invest`: holdings, returns and UK capital gains (issue 21). Pure; run by the compute worker. */
export * from './types.ts';
export * from './gains.ts';
