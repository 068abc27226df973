export * from './money/money.ts';
export * from './schema/registry.ts';
