import {
  API_VERSION,
  APP_NAME,
  KIND,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_SERVER,
  MANAGED_BY,
} from '../api/constants.js';
import type { OwnerReference } from '../api/kube-types.js';

/** Identity of the owning McpServer, the only part of it the labels and owner reference need. */
export interface Owner {
  name: string;
  namespace: string;
  uid: string;
}

/** Labels on every child and on the pod template. */
export function childLabels(name: string): Record<string, string> {
  return {
    [LABEL_NAME]: APP_NAME,
    [LABEL_INSTANCE]: name,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_SERVER]: name,
  };
}

/** The Deployment's (immutable) selector and the Service's selector. */
export function selectorLabels(name: string): Record<string, string> {
  return { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name };
}

/** The selector as a string, for status.selector (scale subresource, HPA). Keys sorted. */
export function selectorString(name: string): string {
  return Object.entries(selectorLabels(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The headless Service listing a server's replicas to each other (service.ts buildPeerService). */
export function peerServiceName(name: string): string {
  return `${name}-peers`;
}

/** The label selector the informers use to see only our children. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

export function ownerReference(owner: Owner): OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}
