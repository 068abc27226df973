import { expose } from 'comlink';
import { createComputeHandlers } from './compute-handlers.ts';

/** The compute worker: owns the snapshot in memory and answers through the combined handlers. */
expose(createComputeHandlers());
