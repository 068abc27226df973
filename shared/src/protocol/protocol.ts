/** The wire contract between client and server: one definition, imported by both (`@mymidas/shared/protocol`). */
export * from './attachments.ts';
export * from './checkpoint.ts';
export * from './problem.ts';
export * from './replication.ts';
