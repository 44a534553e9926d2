/**
 * Named host groups a template may list under `network.presets`: expanded into the allowlist at
 * compile time (the lock signs the hosts, not the names) and shown expanded in the explanation.
 */
export const egressPresets = {
  github: ["github.com", "*.github.com", "*.githubusercontent.com"],
  npm: ["*.npmjs.org", "*.npmjs.com", "*.yarnpkg.com"],
  pypi: ["pypi.org", "*.pypi.org", "files.pythonhosted.org"],
  anthropic: ["*.anthropic.com", "claude.ai"],
  "openclaw-hub": ["clawhub.ai", "*.clawhub.ai"],
  debian: ["*.debian.org"],
} as const satisfies Record<string, readonly string[]>;

export type EgressPreset = keyof typeof egressPresets;
export const egressPresetNames = Object.keys(egressPresets) as [EgressPreset, ...EgressPreset[]];

/** Pure: the allowlist with the presets' hosts added, each once, sorted. */
export function expandPresets(allow: readonly string[], presets: readonly EgressPreset[]): string[] {
  return [...new Set([...allow, ...presets.flatMap((preset) => egressPresets[preset])])].sort();
}
