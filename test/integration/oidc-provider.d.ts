// The part of oidc-provider (a certified OpenID Provider, used as the real issuer of the auth tests)
// that test/integration/oidc-issuer.ts uses. The package ships no types.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
