import { expose } from 'comlink';
import { combineHandlers } from './door.ts';
import { createImportHandlers } from './import-handlers.ts';

/** The import worker: parses and plans one statement at a time, off the page's thread. */
expose(combineHandlers(createImportHandlers()));
