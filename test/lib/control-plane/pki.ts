// The control plane's credentials, made fresh for each run in its temporary directory: a CA, the
// apiserver's serving certificate (127.0.0.1, localhost), an admin client certificate (system:masters)
// and the service-account signing key pair. X.509 needs openssl (Node can parse certificates but not
// issue them); the key pair is Node's own. EC P-256 throughout: fast to generate, accepted everywhere.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];

// `req -x509` marks its output a CA by default (the config's v3_ca section); issued certificates are leaves.
const LEAF = ['-addext', 'basicConstraints=critical,CA:FALSE'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Writes the credentials into `dir` and returns their paths. */
export function makePki(dir: string): Pki {
  const p = (name: string) => join(dir, name);
  const pki: Pki = {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
  openssl(['req', '-x509', ...EC, '-subj', '/CN=mcp-test-control-plane-ca', '-keyout', pki.caKey, '-out', pki.caCert]);
  // OpenSSL 3's `req -x509 -CA` issues from the CA in one step (no CSR file, no serial file).
  const issue = (subject: string, key: string, cert: string, ext: string[]) =>
    openssl(['req', '-x509', ...EC, '-CA', pki.caCert, '-CAkey', pki.caKey, '-subj', subject, '-keyout', key, '-out', cert, ...LEAF, ...ext]);
  issue('/CN=kube-apiserver', pki.servingKey, pki.servingCert, ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'extendedKeyUsage=serverAuth']);
  issue('/O=system:masters/CN=mcp-test-admin', pki.adminKey, pki.adminCert, ['-addext', 'extendedKeyUsage=clientAuth']);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(pki.serviceAccountKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pki.serviceAccountPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  return pki;
}
