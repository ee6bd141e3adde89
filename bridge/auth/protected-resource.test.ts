import { identityOf } from './identity.js';
import { discoveryUrls } from './issuer-metadata.js';
import { canonicalResource, challenge, isMetadataPath, metadataUrl } from './protected-resource.js';

describe('protected resource metadata', () => {
  it('when the resource has a path, then the metadata URL puts the well-known path before it (RFC 9728 §3.1)', () => {
    expect(metadataUrl('https://files.example.com')).toBe('https://files.example.com/.well-known/oauth-protected-resource');
    expect(metadataUrl('https://gw.example.com/files')).toBe('https://gw.example.com/.well-known/oauth-protected-resource/files');
    expect(canonicalResource('https://files.example.com/')).toBe('https://files.example.com');
    expect(isMetadataPath('/.well-known/oauth-protected-resource/mcp')).toBe(true);
    expect(isMetadataPath('/.well-known/oauth-protected-resourcex')).toBe(false);
  });

  it('when a challenge is built, then it names the metadata, the scopes and the error', () => {
    expect(challenge('https://x.example', ['a', 'b'], 'insufficient_scope')).toBe(
      'Bearer resource_metadata="https://x.example/.well-known/oauth-protected-resource", scope="a b", error="insufficient_scope"',
    );
    expect(challenge('https://x.example', [], undefined)).toBe('Bearer resource_metadata="https://x.example/.well-known/oauth-protected-resource"');
  });

  it('when an issuer has a path, then discovery tries RFC 8414 insertion first and OIDC forms after', () => {
    expect(discoveryUrls('https://idp.example/realms/x')).toEqual([
      'https://idp.example/.well-known/oauth-authorization-server/realms/x',
      'https://idp.example/.well-known/openid-configuration/realms/x',
      'https://idp.example/realms/x/.well-known/openid-configuration',
    ]);
  });

  it('when claims carry scp or azp (Entra, Okta), then they count as scopes and client', () => {
    expect(identityOf({ sub: 'u', azp: 'c', scp: ['a', 'b'] })).toEqual({ subject: 'u', clientId: 'c', scopes: new Set(['a', 'b']) });
    expect(identityOf({ client_id: 'svc', scope: 'x y' })).toEqual({ subject: 'svc', clientId: 'svc', scopes: new Set(['x', 'y']) });
    expect(identityOf({ scope: 'x' })).toBeUndefined();
  });
});
