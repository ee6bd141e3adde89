// Installs CRDs (server-side apply) and waits until each is Established and its resources are listable.
// Shared by the control plane's start-up (envtest style: CRDs in place before the controller-manager
// starts, so its garbage collector watches them from its first sync) and the operator tests' installCrd
// on any cluster.
import { readFileSync } from 'node:fs';
import { KubernetesObjectApi, PatchStrategy, loadAllYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { waitFor } from '../wait-for.js';

interface Crd extends KubernetesObject {
  spec?: { group?: string; names?: { plural?: string; kind?: string }; versions?: { name: string; served?: boolean }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

export async function installCrds(kc: KubeConfig, files: readonly string[], fieldManager = 'mcp-operator-tests'): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const crds = files.flatMap((f) => loadAllYaml(readFileSync(f, 'utf8')) as Crd[]);
  for (const crd of crds) {
    await objects.patch(crd, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  }
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await waitFor(`the CRD ${name} to be Established`, async () => {
      const live = await objects.read<Crd>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } });
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true ? true : undefined;
    });
    // The apiserver's discovery can lag the Established condition by a moment: list each served version
    // (by kind, which goes through discovery as every client does).
    for (const v of crd.spec?.versions?.filter((x) => x.served !== false) ?? []) {
      const apiVersion = `${crd.spec?.group ?? ''}/${v.name}`;
      await waitFor(`${name} to be listable as ${apiVersion}`, async () => {
        await objects.list(apiVersion, crd.spec?.names?.kind ?? '');
        return true;
      });
    }
  }
}
