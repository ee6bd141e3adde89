// Which prompts (by name) and resources (by URI) a client may see and use: allow and deny lists of
// names or globs, deny wins. The same for every caller (per-caller rules exist for tools only). Pure.
import { globToRegExp } from './tool-policy.js';

export class NamePolicy {
  private readonly allow: readonly [string, RegExp][];
  private readonly deny: readonly [string, RegExp][];

  constructor(
    /** The flag pair, for messages: "prompts" → --prompts-allow / --prompts-deny. */
    readonly flag: string,
    allow: readonly string[],
    deny: readonly string[],
  ) {
    this.allow = allow.map((p) => [p, globToRegExp(p)]);
    this.deny = deny.map((p) => [p, globToRegExp(p)]);
  }

  get empty(): boolean {
    return this.allow.length === 0 && this.deny.length === 0;
  }

  /** undefined = allowed; else why not. */
  refusal(name: string): string | undefined {
    const denied = this.deny.find(([, re]) => re.test(name));
    if (denied !== undefined) return `denied by --${this.flag}-deny ${denied[0]}`;
    if (this.allow.length > 0 && !this.allow.some(([, re]) => re.test(name))) return `not in --${this.flag}-allow`;
    return undefined;
  }
}
