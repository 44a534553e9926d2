import { join } from "node:path";
import type { AuditLog } from "../audit/audit-log";
import type { ContainerSpec } from "../policy/compile-container-spec";
import { createResolver, type EgressOwner, type EgressProxy, startEgressProxy } from "./egress-proxy";
import { parseRules } from "./egress-rules";

/**
 * The panel's egress proxies, one per running `restricted`/`devops` agent or job, by key: the
 * agent's name, or `job:ID` (egressOwnerKey).
 */
export type EgressProxies = {
  /** Starts the proxy for this spec (or keeps the one running with the same rules); `dir` holds the spec's socket dir. */
  ensure(key: string, dir: string, spec: ContainerSpec, owner?: EgressOwner): Promise<void>;
  close(key: string): Promise<void>;
  closeAll(): Promise<void>;
  running(): string[];
  /** Names the operator mapped by hand (CLAW_EGRESS_RESOLVE), shown with the rules they affect. */
  overrides: ReadonlyMap<string, string>;
};

export const egressSocketName = "proxy.sock";

export function createEgressProxies(deps: {
  audit: AuditLog;
  overrides: ReadonlyMap<string, string>;
}): EgressProxies {
  const resolve = createResolver(deps.overrides);
  const proxies = new Map<string, { key: string; proxy: Promise<EgressProxy> }>();

  const close = async (agent: string) => {
    const entry = proxies.get(agent);
    proxies.delete(agent);
    await (await entry?.proxy.catch(() => undefined))?.close();
  };

  return {
    async ensure(agent, dir, spec, owner = { agent }) {
      const proxied = spec.network.egressProxy;
      if (!proxied) return close(agent);
      const socketPath = join(dir, proxied.socketDir, egressSocketName);
      const key = `${socketPath}\n${spec.network.allow.join(",")}`;
      const existing = proxies.get(agent);
      if (existing?.key === key) {
        await existing.proxy;
        return;
      }
      await close(agent);
      const proxy = startEgressProxy({
        owner,
        socketPath,
        rules: parseRules(spec.network.allow),
        resolve,
        audit: deps.audit,
      });
      proxies.set(agent, { key, proxy });
      proxy.catch(() => proxies.delete(agent));
      await proxy;
    },
    close,
    async closeAll() {
      await Promise.all([...proxies.keys()].map(close));
    },
    running: () => [...proxies.keys()],
    overrides: deps.overrides,
  };
}
