import { join } from "node:path";
import type { Approvals } from "../approvals/approvals";
import type { AuditLog } from "../audit/audit-log";
import type { ContainerSpec } from "../policy/compile-container-spec";
import {
  createResolver,
  type EgressOwner,
  type EgressProxy,
  startEgressProxy,
  type UnlistedHandler,
} from "./egress-proxy";
import { parseRules } from "./egress-rules";
import { expectedDenialOf } from "./expected-egress";

/**
 * The panel's egress proxies, one per running `restricted`/`devops` agent or job, by key: the
 * agent's name, or `job:ID` (egressOwnerKey).
 */
export type EgressProxies = {
  /** Starts the proxy for this spec (or keeps the one running with the same rules); `dir` holds the spec's socket dir. */
  ensure(key: string, dir: string, spec: ContainerSpec, owner?: EgressOwner): Promise<void>;
  /** The agent or job stopped: its proxy closes, its held requests and "until it stops" grants end. */
  close(key: string): Promise<void>;
  /** The agent was deleted: its proxy closes, and every grant of its ends. */
  forget(key: string): Promise<void>;
  closeAll(): Promise<void>;
  running(): string[];
  /** Names the operator mapped by hand (CLAW_EGRESS_RESOLVE), shown with the rules they affect. */
  overrides: ReadonlyMap<string, string>;
};

export const egressSocketName = "proxy.sock";

/** The inverse of egressOwnerKey. */
const ownerOfKey = (key: string): EgressOwner =>
  key.startsWith("job:") ? { job: key.slice("job:".length) } : { agent: key };

/** What the proxy does with a host off the list it could reach, by the spec's egress mode. */
function unlistedHandler(
  spec: ContainerSpec,
  owner: EgressOwner,
  approvals: Approvals | undefined,
): UnlistedHandler | undefined {
  const proxied = spec.network.egressProxy;
  if (proxied?.mode === "learn") return async () => ({ allowed: true, rule: "learn mode" });
  if (proxied?.mode === "ask" && approvals) {
    const timeoutMs = (proxied.askTimeoutSeconds ?? 60) * 1000;
    return async (target, signal) => {
      // Nobody is asked about what a program does by itself at every start and does fine without.
      const expected = expectedDenialOf(target.host, target.port);
      if (expected)
        return {
          allowed: false,
          reason: `${target.host}:${target.port} is not in this agent's allowlist (${expected.note})`,
        };
      return approvals.ask(owner, target, timeoutMs, signal);
    };
  }
  return undefined;
}

export function createEgressProxies(deps: {
  audit: AuditLog;
  overrides: ReadonlyMap<string, string>;
  /** Where `ask` mode raises its requests; without it, `ask` denies like `deny`. */
  approvals?: () => Approvals;
}): EgressProxies {
  const resolve = createResolver(deps.overrides);
  const proxies = new Map<
    string,
    { key: string; socketPath: string; owner: EgressOwner; proxy: Promise<EgressProxy> }
  >();

  const closeProxy = async (agent: string) => {
    const entry = proxies.get(agent);
    proxies.delete(agent);
    await (await entry?.proxy.catch(() => undefined))?.close();
    return entry?.owner;
  };
  const end = async (agent: string, deleted: boolean) => {
    const owner = (await closeProxy(agent)) ?? ownerOfKey(agent);
    if (!deps.approvals) return;
    const approvals = deps.approvals();
    await (deleted ? approvals.ownerDeleted(owner) : approvals.ownerStopped(owner)).catch((error: Error) =>
      console.error(`claw: approvals for ${agent}: ${error.message}`),
    );
  };
  const close = (agent: string) => end(agent, false);
  const trackGrant = (grant: string, closeConnection: () => void) =>
    deps.approvals ? deps.approvals().trackGrant(grant, closeConnection) : () => {};

  return {
    async ensure(agent, dir, spec, owner = { agent }) {
      const proxied = spec.network.egressProxy;
      if (!proxied) return void (await closeProxy(agent));
      const socketPath = join(dir, proxied.socketDir, egressSocketName);
      const key = `${socketPath}\n${spec.network.allow.join(",")}\n${proxied.mode ?? "deny"}/${proxied.askTimeoutSeconds ?? ""}`;
      const existing = proxies.get(agent);
      if (existing?.key === key) {
        await existing.proxy;
        return;
      }
      // Same socket, new rules (a re-lock): applied in place, so open tunnels and held requests go on.
      if (existing?.socketPath === socketPath) {
        const running = await existing.proxy.catch(() => undefined);
        if (running) {
          running.update(parseRules(spec.network.allow), unlistedHandler(spec, owner, deps.approvals?.()));
          proxies.set(agent, { ...existing, key });
          return;
        }
      }
      await closeProxy(agent);
      const proxy = startEgressProxy({
        owner,
        socketPath,
        rules: parseRules(spec.network.allow),
        resolve,
        audit: deps.audit,
        unlisted: unlistedHandler(spec, owner, deps.approvals?.()),
        trackGrant,
      });
      proxies.set(agent, { key, socketPath, owner, proxy });
      proxy.catch(() => proxies.delete(agent));
      await proxy;
    },
    close,
    forget: (agent) => end(agent, true),
    // The panel is stopping, not the agents: their grants stay.
    async closeAll() {
      await Promise.all([...proxies.keys()].map(closeProxy));
    },
    running: () => [...proxies.keys()],
    overrides: deps.overrides,
  };
}
