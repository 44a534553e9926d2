import { readContainerSpec } from "../agents/agent-files";
import { getAgentOrThrow } from "../agents/get-agent";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { readEgressHistory } from "./egress-history";
import { isPublicSuffixWildcard, proposeAllowlist } from "./propose-allowlist";

/**
 * "Propose an allowlist" for one agent: its egress of the last `hours` from the audit log, against
 * the allowlist its proxy enforces now (its locked spec, presets expanded).
 */
export async function proposeAgentAllowlist(
  deps: { db: Db; paths: Pick<ClawPaths, "agents">; overrides: ReadonlyMap<string, string> },
  agent: string,
  hours: number,
) {
  await getAgentOrThrow(deps.db, agent);
  const spec = await readContainerSpec(deps.paths.agents, agent);
  const proxied = spec.network.egressProxy;
  if (!proxied)
    throw new AppError(
      "BAD_REQUEST",
      `${agent}'s network profile is ${spec.network.profile}: it has no allowlist`,
      {
        fix: "Only restricted and devops agents reach hosts through the egress proxy, with an allowlist to propose.",
      },
    );
  const now = new Date();
  const history = await readEgressHistory(deps.db, agent, new Date(now.getTime() - hours * 3_600_000));
  const proposal = proposeAllowlist({
    events: history.events,
    currentAllow: spec.network.allow,
    hours,
    now,
    trusted: deps.overrides,
  });
  return {
    agent,
    mode: proxied.mode ?? "deny",
    ...proposal,
    window: { ...proposal.window, truncated: history.truncated },
  };
}

/** Refuses entries a proposal never makes: a wildcard over a public suffix opens a whole registry. */
export function assertSafeEntries(entries: string[]): void {
  const unsafe = entries.filter(isPublicSuffixWildcard);
  if (unsafe.length > 0)
    throw new AppError(
      "BAD_REQUEST",
      `${unsafe.join(", ")} would allow every name under a public suffix (or one the panel cannot judge)`,
      { fix: "List the hosts themselves, or a wildcard under a domain one registers, like *.example.com." },
    );
}
