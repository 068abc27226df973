import './zod-jitless.ts';
import { expose } from 'comlink';
import { createImportHandlers } from '../features/import/import-worker-handlers.ts';
import { combineHandlers } from './door.ts';

/** The import worker: parses and plans one statement at a time, off the page's thread (handlers: features/import). */
expose(combineHandlers(createImportHandlers()));
