import type { InjectionKey } from 'vue';
import type { ApiClient } from './api.ts';
import type { ReplicaPort } from './replica-port.ts';

/** App-level dependencies, provided in main.ts and injected by stores so tests can replace them. */
export const API_CLIENT: InjectionKey<ApiClient> = Symbol('api-client');
export const REPLICA_PORT: InjectionKey<ReplicaPort> = Symbol('replica-port');
