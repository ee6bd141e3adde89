// Where the control plane's binaries are: asked of hack/lib/common.sh (bin_path NAME VERSION, with the
// versions of hack/lib/versions.sh), the one place for cache paths and versions, so this file repeats
// neither. hack/build-binaries.sh builds them (the full cluster's cluster-up does too).
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export const CONTROL_PLANE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;
export type ControlPlaneBinary = (typeof CONTROL_PLANE_BINARIES)[number];

export class MissingBinaryError extends Error {
  constructor(readonly missing: string[]) {
    super(`control plane binaries missing: ${missing.join(', ')} (build them with \`bash hack/build-binaries.sh\`)`);
  }
}

/** The script that prints one path per line; VERSION comes from the variable versions.sh sets per binary. */
const script = `. hack/lib/common.sh
bin_path etcd "$ETCD_VERSION"; echo
for b in kube-apiserver kube-controller-manager kubectl; do bin_path "$b" "$K8S_VERSION"; echo; done`;

/** Absolute paths of the control plane's binaries, checked to be executable. `env` may set MCP_CACHE_DIR. */
export function controlPlaneBinaries(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Record<ControlPlaneBinary, string> {
  const paths = execFileSync('bash', ['-c', script], { cwd: repoRoot, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n');
  const entries = CONTROL_PLANE_BINARIES.map((name, i) => [name, paths[i] ?? join('/nonexistent', name)] as const);
  const missing = entries.filter(([, path]) => !isExecutable(path)).map(([, path]) => path);
  if (missing.length > 0) throw new MissingBinaryError(missing);
  return Object.fromEntries(entries) as Record<ControlPlaneBinary, string>;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
