import { isIP } from "node:net";
import { z } from "zod";
import { isPrivateAddress, matchRule, normalizeHost, parseRules } from "../egress/egress-rules";
import { expectedDenialOf } from "../egress/expected-egress";
import { egressRule } from "../policy/template-schema";
import { allowlistEntry } from "./approval-decisions";

/**
 * Suffixes under which anyone may register a name: a `*.suffix` proposal never stops at one of
 * these (nor at a bare top-level domain). Short on purpose: a name under a suffix not listed is
 * proposed as it is, never grouped.
 */
export const publicSuffixes: ReadonlySet<string> = new Set([
  // generic and common country domains where names are registered right under the top level
  ..."com org net edu gov mil int info biz name pro io ai app dev co me sh xyz cloud tech site online so to tv cc ly gg fm im is in us ca de fr nl eu ch at be se no dk fi it es pl cz pt ie lt lv ee ro hu sk si gr ru ua jp cn kr tw hk sg au nz br mx ar cl za".split(
    " ",
  ),
  // country domains with registries one level down
  ..."co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk com.au net.au org.au edu.au gov.au co.nz org.nz net.nz co.jp ne.jp or.jp ac.jp go.jp com.br net.br org.br com.cn net.cn org.cn com.hk com.sg com.tw co.kr or.kr co.in net.in org.in co.za org.za com.mx com.ar co.il com.tr com.ua".split(
    " ",
  ),
  // hosting where each customer gets a name of its own
  ..."github.io gitlab.io pages.dev workers.dev vercel.app netlify.app herokuapp.com appspot.com web.app firebaseapp.com azurewebsites.net cloudfront.net s3.amazonaws.com blogspot.com fly.dev onrender.com readthedocs.io ngrok.io ngrok-free.app".split(
    " ",
  ),
]);

/** Second-level labels a country registry keeps for itself (co.xx, com.xx…): an unlisted one is not grouped under. */
const registrySecondLevels = new Set([
  "co",
  "com",
  "net",
  "org",
  "gov",
  "edu",
  "ac",
  "ne",
  "or",
  "go",
  "mil",
  "nic",
]);

/**
 * Pure: the name one registers under a public suffix (`example.co.uk` for `a.b.example.co.uk`),
 * or undefined when the suffix is not one this module knows (then nothing is grouped).
 */
export function registrableDomain(host: string): string | undefined {
  const labels = host.split(".");
  let suffixLabels = 0;
  for (let count = 1; count < labels.length; count++)
    if (publicSuffixes.has(labels.slice(-count).join("."))) suffixLabels = count;
  if (suffixLabels === 0) return undefined;
  if (
    suffixLabels === 1 &&
    (labels.at(-1) ?? "").length === 2 &&
    registrySecondLevels.has(labels.at(-2) ?? "")
  )
    return undefined;
  return labels.slice(-(suffixLabels + 1)).join(".");
}

/** Pure: whether an allowlist entry is a wildcard over a public suffix or a bare top-level domain (`*.com`, `*.github.io`). */
export function isPublicSuffixWildcard(entry: string): boolean {
  const host = parseRules([entry])[0];
  if (!host?.wildcard) return false;
  return (
    !host.host.includes(".") || publicSuffixes.has(host.host) || registrableDomain(host.host) === undefined
  );
}

/** The audit events this reads: the proxy's `egress_allowed` and `egress_denied`. */
export type EgressEvent = { time: string; action: string; details: unknown };

const egressDetails = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  rule: z.string().optional(),
  reason: z.string().optional(),
  address: z.string().nullish(),
});

export type ProposedHost = { host: string; port: number; connections: number };
export type ProposedEntry = {
  entry: string;
  hosts: ProposedHost[];
  connections: number;
  lastSeen: string;
  /** Said beside the entry: a name the operator mapped by hand (CLAW_EGRESS_RESOLVE). */
  note?: string;
};
export type SkippedHost = ProposedHost & { reason: string };

export type AllowlistProposal = {
  add: ProposedEntry[];
  /** The current allowlist, which stays as it is. */
  unchanged: string[];
  /** What the window held that is not proposed, and why. */
  skipped: SkippedHost[];
  window: { hours: number; from: string; to: string; events: number };
};

const offList = "is not in this agent's allowlist";
const privateReason = "resolves to an address of this machine or a private network";
const personDenied = "a person denied";
const hostName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

type Seen = ProposedHost & { lastSeen: string; addresses: Set<string>; refusedPrivate: boolean };

/** Ports 443 and 80 share one entry (a bare host allows both); any other port is its own. */
const portClass = (port: number) => (port === 443 || port === 80 ? "default" : String(port));

/** Pure: the longest run of whole trailing labels every name shares. */
function commonSuffix(names: string[]): string {
  const split = names.map((name) => name.split(".").reverse());
  const first = split[0] ?? [];
  let length = 0;
  while (length < first.length && split.every((labels) => labels[length] === first[length])) length++;
  return first.slice(0, length).reverse().join(".");
}

/**
 * Pure: an allowlist proposal from an agent's egress in the last `hours`: the hosts `learn` mode let
 * through and those denied for being off the list, minus what the allowlist already covers. Hosts
 * are grouped into `*.suffix` only where two or more distinct names share a registrable domain
 * (never a wildcard over a public suffix), a port other than 443/80 stays in the entry, and nothing
 * that is, or was seen resolving to, this machine or a private network is proposed (a name the
 * operator mapped, `trusted`, excepted), nor what a person denied, nor an expected denial.
 */
export function proposeAllowlist(input: {
  events: EgressEvent[];
  currentAllow: string[];
  hours: number;
  now?: Date;
  /** Names the operator mapped to an address by hand (CLAW_EGRESS_RESOLVE): their address is theirs to choose. */
  trusted?: ReadonlyMap<string, string>;
}): AllowlistProposal {
  const now = input.now ?? new Date();
  const from = new Date(now.getTime() - input.hours * 3_600_000);
  const rules = parseRules(input.currentAllow);
  const trusted = input.trusted ?? new Map<string, string>();
  const seen = new Map<string, Seen>();
  const refusedByPerson = new Set<string>();
  let counted = 0;

  for (const event of input.events) {
    const time = Date.parse(event.time);
    if (!(time >= from.getTime())) continue;
    const parsed = egressDetails.safeParse(event.details);
    if (!parsed.success) continue;
    const details = parsed.data;
    const host = normalizeHost(details.host);
    const key = `${host}:${details.port}`;
    const reason = details.reason ?? "";
    if (event.action === "egress_denied" && reason.startsWith(personDenied)) {
      refusedByPerson.add(key);
      continue;
    }
    const learned = event.action === "egress_allowed" && details.rule === "learn mode";
    const denied = event.action === "egress_denied" && reason.includes(offList);
    if (!learned && !denied) continue;
    counted++;
    const entry = seen.get(key) ?? {
      host,
      port: details.port,
      connections: 0,
      lastSeen: event.time,
      addresses: new Set<string>(),
      refusedPrivate: false,
    };
    entry.connections++;
    if (event.time > entry.lastSeen) entry.lastSeen = event.time;
    if (details.address) entry.addresses.add(details.address);
    if (reason.includes(privateReason)) entry.refusedPrivate = true;
    seen.set(key, entry);
  }

  const skipped: SkippedHost[] = [];
  const candidates: Seen[] = [];
  for (const [key, entry] of seen) {
    const skip = (reason: string) =>
      skipped.push({ host: entry.host, port: entry.port, connections: entry.connections, reason });
    const covering = matchRule(rules, entry.host, entry.port);
    const expected = expectedDenialOf(entry.host, entry.port);
    const mapped = trusted.has(entry.host);
    const literal = isIP(entry.host);
    if (covering) skip(`already allowed by ${covering.text}`);
    else if (refusedByPerson.has(key)) skip("a person denied it in this window");
    else if (literal !== 0 && isPrivateAddress(entry.host))
      skip("an address of this machine or a private network: never proposed");
    else if (literal === 6) skip("an IPv6 address: an allowlist entry names a host");
    else if (!mapped && (entry.refusedPrivate || [...entry.addresses].some(isPrivateAddress)))
      skip("it resolved to an address of this machine or a private network: never proposed");
    else if (expected) skip(`expected: ${expected.note}`);
    else if (!hostName.test(entry.host)) skip("not a host name an allowlist entry can hold");
    else candidates.push(entry);
  }

  // What a wildcard must not reach: one that covers any of these is not proposed.
  const held = [
    ...skipped.filter((entry) => !entry.reason.startsWith("already allowed")),
    ...[...refusedByPerson].map((key) => ({
      host: key.slice(0, key.lastIndexOf(":")),
      port: Number(key.slice(key.lastIndexOf(":") + 1)),
    })),
  ];
  const groups = new Map<string, Seen[]>();
  for (const entry of candidates) {
    const registrable = isIP(entry.host) ? undefined : registrableDomain(entry.host);
    const key =
      registrable && entry.host !== registrable
        ? `${portClass(entry.port)} *.${registrable}`
        : `${portClass(entry.port)} ${entry.host}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }

  const add = new Map<string, Seen[]>();
  const put = (entry: string, hosts: Seen[]) => add.set(entry, [...(add.get(entry) ?? []), ...hosts]);
  for (const [key, hosts] of groups) {
    const names = [...new Set(hosts.map((entry) => entry.host))];
    const port = portClass(hosts[0]?.port ?? 443);
    const withPort = (entry: string) => (port === "default" ? entry : `${entry}:${port}`);
    if (key.includes(" *.") && names.length >= 2) {
      const suffix = commonSuffix(names.map((name) => name.slice(name.indexOf(".") + 1)));
      const wildcard = withPort(`*.${suffix}`);
      const reaches = held.some((entry) => matchRule(parseRules([wildcard]), entry.host, entry.port));
      if (!reaches && egressRule.safeParse(wildcard).success && !isPublicSuffixWildcard(wildcard)) {
        put(wildcard, hosts);
        continue;
      }
    }
    for (const entry of hosts) put(allowlistEntry(entry.host, entry.port), [entry]);
  }

  const proposed = [...add]
    .filter(([entry]) => egressRule.safeParse(entry).success)
    .map(([entry, hosts]): ProposedEntry => {
      const mapped = [...new Set(hosts.map((host) => host.host))].filter((host) => trusted.has(host));
      return {
        entry,
        hosts: hosts
          .map(({ host, port, connections }) => ({ host, port, connections }))
          .sort((a, b) => b.connections - a.connections || a.host.localeCompare(b.host) || a.port - b.port),
        connections: hosts.reduce((sum, host) => sum + host.connections, 0),
        lastSeen:
          hosts
            .map((host) => host.lastSeen)
            .sort()
            .at(-1) ?? "",
        ...(mapped.length > 0
          ? {
              note: mapped
                .map((host) => `${host} is mapped to ${trusted.get(host)} by CLAW_EGRESS_RESOLVE`)
                .join("; "),
            }
          : {}),
      };
    })
    .sort((a, b) => b.connections - a.connections || a.entry.localeCompare(b.entry));

  return {
    add: proposed,
    unchanged: [...input.currentAllow],
    skipped: skipped.sort((a, b) => b.connections - a.connections || a.host.localeCompare(b.host)),
    window: { hours: input.hours, from: from.toISOString(), to: now.toISOString(), events: counted },
  };
}
