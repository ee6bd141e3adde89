/** A refused command line or environment: main.ts prints its message and exits 2. */
export class ConfigError extends Error {}
