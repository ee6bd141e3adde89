// Tool, prompt and resource names the server itself announced: the only ones that become label
// values. A client can put any string in tools/call (a fuzzer, a buggy agent, 10,000 made-up names);
// if each became a Prometheus series, one client could exhaust the scraper's memory. So a name is a
// label value only once the server listed it (tools/list, prompts/list, resources/list answers the
// bridge relays) or answered a call to it successfully (a client that cached the list elsewhere, e.g.
// on another replica); every other name is `_OTHER`. A cap per kind bounds even a server that lists
// an unbounded number (generated resources): names beyond it fold as well.
import { OTHER, type TargetKind } from './semconv.js';

export const MAX_NAMES_PER_KIND = 500;

export class KnownNames {
  private readonly names: Record<TargetKind, Set<string>> = { tool: new Set(), prompt: new Set(), resource: new Set() };

  constructor(private readonly cap = MAX_NAMES_PER_KIND) {}

  learn(kind: TargetKind, names: Iterable<string>): void {
    const known = this.names[kind];
    for (const name of names) {
      if (known.size >= this.cap) return;
      known.add(name);
    }
  }

  /** The label value for a name: itself if known, else `_OTHER`. */
  label(kind: TargetKind, name: string): string {
    return this.names[kind].has(name) ? name : OTHER;
  }

  size(kind: TargetKind): number {
    return this.names[kind].size;
  }
}
