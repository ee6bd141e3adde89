// Remembers, per child, the content hash we last applied and the resourceVersion the apiserver returned.
// If the cached child still has that resourceVersion and the desired content is unchanged, nobody has
// touched the child since our last apply, so applying again would be a no-op: we skip the request.
// Any other writer (a hand edit, the Deployment controller's status) changes the resourceVersion and we
// apply again; server-side apply then reverts what we own and leaves the rest. This compares no fields:
// it is not a diff, only a memo of our own last write (docs/adr/0101-operator-apply-memo.md).
export class ApplyMemo {
  private readonly entries = new Map<string, { hash: string; resourceVersion: string }>();

  needsApply(childKey: string, desiredHash: string, cachedResourceVersion: string | undefined): boolean {
    const e = this.entries.get(childKey);
    return e === undefined || cachedResourceVersion === undefined || e.hash !== desiredHash || e.resourceVersion !== cachedResourceVersion;
  }

  record(childKey: string, desiredHash: string, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined) this.entries.delete(childKey);
    else this.entries.set(childKey, { hash: desiredHash, resourceVersion });
  }

  forget(childKey: string): void {
    this.entries.delete(childKey);
  }

  size(): number {
    return this.entries.size;
  }
}
