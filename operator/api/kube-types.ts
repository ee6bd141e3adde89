// Plain-object views of client-node's model classes. The builders produce plain JSON-able objects (never
// class instances), and the lint rule no-unsafe-class-instance-assignment rightly refuses object literals
// where a class type is expected; these mapped types keep the models' shapes without the class.
import type {
  KubernetesObject,
  V1Container,
  V1Deployment,
  V1EnvVar,
  V1Lease,
  V1OwnerReference,
  V1Pod,
  V1PodSecurityContext,
  V1PodSpec,
  V1Probe,
  V1ResourceRequirements,
  V1Secret,
  V1SecurityContext,
  V1Service,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';

export type Plain<T> = T extends Date
  ? T
  : T extends (infer U)[]
    ? Plain<U>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

export type Deployment = Plain<V1Deployment>;
export type Service = Plain<V1Service>;
export type Secret = Plain<V1Secret>;
export type Lease = Plain<V1Lease>;
export type Pod = Plain<V1Pod>;
export type PodSpec = Plain<V1PodSpec>;
export type Container = Plain<V1Container>;
export type Probe = Plain<V1Probe>;
export type Volume = Plain<V1Volume>;
export type VolumeMount = Plain<V1VolumeMount>;
export type EnvVar = Plain<V1EnvVar>;
export type ResourceRequirements = Plain<V1ResourceRequirements>;
export type PodSecurityContext = Plain<V1PodSecurityContext>;
export type SecurityContext = Plain<V1SecurityContext>;
export type OwnerReference = Plain<V1OwnerReference>;
export type KubeObject = Plain<KubernetesObject>;
