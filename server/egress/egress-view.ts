import type { Db } from "../db/client";
import type { ContainerSpec } from "../policy/compile-container-spec";
import type { EgressMode } from "../policy/template-schema";
import type { EgressProxies } from "./egress-proxies";
import { matchRule, parseRules } from "./egress-rules";
import { summarizeEgress } from "./egress-summary";
import { expectedDenials } from "./expected-egress";

/** The Egress tab: the rules the agent's proxy enforces (from its locked spec), and what the audit log holds of its egress. */
export async function agentEgressView(
  deps: { db: Db; proxies: EgressProxies },
  name: string,
  network: ContainerSpec["network"],
) {
  const mapped = [...deps.proxies.overrides];
  const mode: EgressMode | null = network.egressProxy ? (network.egressProxy.mode ?? "deny") : null;
  return {
    profile: network.profile,
    proxied: network.egressProxy !== null,
    proxyRunning: deps.proxies.running().includes(name),
    /** What the proxy does with a host off the list (from the lock): deny it, ask a person, or let it through and record it. */
    mode,
    askTimeoutSeconds: network.egressProxy?.askTimeoutSeconds ?? null,
    presets: network.presets ?? [],
    /** Denials known to be harmless, shown grey with their reason (the live rows are matched against these). */
    expected: expectedDenials.map(({ host, port, note }) => ({ host, port, note })),
    rules: parseRules(network.allow).map((rule) => ({
      text: rule.text,
      host: rule.wildcard ? `*.${rule.host}` : rule.host,
      ports: rule.ports,
      /** Names under this rule that CLAW_EGRESS_RESOLVE sends to a fixed address instead of DNS. */
      mapped: mapped
        .filter(([host]) => rule.ports.some((port) => matchRule([rule], host, port)))
        .map(([host, address]) => ({ host, address })),
    })),
    ...(await summarizeEgress(deps.db, name)),
  };
}
