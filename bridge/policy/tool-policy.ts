// Which tools a caller may see and call: allow and deny lists (names or globs; deny wins) and scope
// rules (tools matching a pattern need a scope in the caller's token). Pure.
import type { Identity } from '../auth/identity.js';

export interface ScopeRule {
  readonly pattern: string;
  readonly scope: string;
}

export interface ToolPolicyOptions {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly scopeRules: readonly ScopeRule[];
}

export type ToolDecision =
  | { readonly ok: true }
  /** Hidden for everyone by --tools-allow / --tools-deny. */
  | { readonly ok: false; readonly reason: 'policy'; readonly detail: string }
  /** Hidden for this caller: its token lacks these scopes (it may ask for them: step-up). */
  | { readonly ok: false; readonly reason: 'scope'; readonly scopes: readonly string[] };

/** `*` = any run of characters, `?` = one; everything else literal; the whole name must match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${body}$`, 's');
}

/** "write_*=files:write" → { pattern, scope }; the flag parser already refused malformed rules. */
export function parseScopeRule(rule: string): ScopeRule {
  const eq = rule.indexOf('=');
  return { pattern: rule.slice(0, eq).trim(), scope: rule.slice(eq + 1).trim() };
}

const ALLOWED: ToolDecision = { ok: true };

export class ToolPolicy {
  private readonly allow: readonly [string, RegExp][];
  private readonly deny: readonly [string, RegExp][];
  private readonly rules: readonly [ScopeRule, RegExp][];

  constructor(options: ToolPolicyOptions) {
    this.allow = options.allow.map((p) => [p, globToRegExp(p)]);
    this.deny = options.deny.map((p) => [p, globToRegExp(p)]);
    this.rules = options.scopeRules.map((r) => [r, globToRegExp(r.pattern)]);
  }

  /** No rules at all: every tool for everyone (the bridge then skips the policy entirely). */
  get empty(): boolean {
    return this.allow.length === 0 && this.deny.length === 0 && this.rules.length === 0;
  }

  /** Lists differ between callers (scope rules): 2026-07-28 list results are then cacheScope "private". */
  get perCaller(): boolean {
    return this.rules.length > 0;
  }

  /** Every scope a rule names (for scopes_supported in the metadata). */
  get scopes(): string[] {
    return [...new Set(this.rules.map(([r]) => r.scope))];
  }

  decide(name: string, identity: Identity | undefined): ToolDecision {
    const denied = this.deny.find(([, re]) => re.test(name));
    if (denied !== undefined) return { ok: false, reason: 'policy', detail: `denied by --tools-deny ${denied[0]}` };
    if (this.allow.length > 0 && !this.allow.some(([, re]) => re.test(name))) return { ok: false, reason: 'policy', detail: 'not in --tools-allow' };
    const missing = this.rules.filter(([r, re]) => re.test(name) && identity?.scopes.has(r.scope) !== true).map(([r]) => r.scope);
    if (missing.length > 0) return { ok: false, reason: 'scope', scopes: [...new Set(missing)] };
    return ALLOWED;
  }
}
