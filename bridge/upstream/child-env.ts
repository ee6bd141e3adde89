// The environment a server process gets: an allowlist, never the bridge's whole environment
// (which may hold the bridge's own secrets), plus what the user asked for explicitly.

/** Same default set as the MCP SDK's stdio client. */
export const DEFAULT_INHERITED = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'] as const;

export function childEnv(
  parent: Readonly<Record<string, string | undefined>>,
  passEnv: readonly string[],
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const passAll = passEnv.includes('*');
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    const wanted = passAll ? !name.startsWith('MCP_BRIDGE_') : DEFAULT_INHERITED.includes(name as never) || passEnv.includes(name);
    if (wanted) out[name] = value;
  }
  return { ...out, ...extra };
}
