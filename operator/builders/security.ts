// Security defaults that pass PodSecurity "restricted": non-root numeric uid, no privilege escalation,
// all capabilities dropped, RuntimeDefault seccomp, read-only root filesystem (writable emptyDirs instead).
import type { PodSecurityContext, SecurityContext } from '../api/kube-types.js';
import { RUN_AS_USER } from '../api/constants.js';

export function podSecurityContext(): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    fsGroup: RUN_AS_USER,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
