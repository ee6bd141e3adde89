// Resource subscriptions of the sessions sharing one server process, ref-counted per URI: the process
// is subscribed once, on the first session's resources/subscribe, and unsubscribed after the last one
// leaves; updates go only to the sessions that subscribed. Pure bookkeeping; SharedUpstream talks to
// the process.

export class SubscriptionTable<Client> {
  private readonly byUri = new Map<string, Set<Client>>();

  get size(): number {
    return this.byUri.size;
  }

  /** Every URI the process must be subscribed to (after a restart they are subscribed again). */
  uris(): IterableIterator<string> {
    return this.byUri.keys();
  }

  subscribersOf(uri: string): ReadonlySet<Client> {
    return this.byUri.get(uri) ?? new Set();
  }

  /** What one client subscribed to (a stopping replica hands it to its peers: handoff.ts). */
  of(client: Client): string[] {
    return [...this.byUri].filter(([, subscribers]) => subscribers.has(client)).map(([uri]) => uri);
  }

  /** True when the client is the URI's first subscriber: the process must be subscribed now. */
  add(client: Client, uri: string): boolean {
    const subscribers = this.byUri.get(uri) ?? new Set<Client>();
    const first = subscribers.size === 0;
    subscribers.add(client);
    this.byUri.set(uri, subscribers);
    return first;
  }

  /** True when the client was the URI's last subscriber: the process must be unsubscribed now. */
  remove(client: Client, uri: string): boolean {
    const subscribers = this.byUri.get(uri);
    if (subscribers?.delete(client) !== true || subscribers.size > 0) return false;
    this.byUri.delete(uri);
    return true;
  }

  /** A client left: the URIs nobody is subscribed to any more. */
  drop(client: Client): string[] {
    return this.of(client).filter((uri) => this.remove(client, uri));
  }
}
