import './zod-jitless.ts';
import { expose } from 'comlink';
import { createComputeHandlers } from '../compute/registry.ts';

/** The compute worker: owns the snapshot in memory and answers with every compute area's handlers (compute/registry.ts). */
expose(createComputeHandlers());
