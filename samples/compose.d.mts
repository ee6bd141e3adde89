// The declarations of samples/compose.mjs, so that `npm run typecheck:mjs` can check samples/generate.mjs
// (which imports it) without checking compose.mjs itself: compose.mjs is being turned into TypeScript
// (issue 16 item 2); delete this file then.
import type { SampleServer } from './servers.js';

export declare const COMPOSE_HEADER: string;
export declare const PROMETHEUS_CONFIG_PATH: string;
export declare function bridgeArgs(s: SampleServer): string[];
export declare function prometheusConfig(servers: readonly SampleServer[]): string;
export declare function composeModel(servers: readonly SampleServer[]): { name: string; services: Record<string, object>; volumes: Record<string, object> };
export declare function renderCompose(servers: readonly SampleServer[]): string;
