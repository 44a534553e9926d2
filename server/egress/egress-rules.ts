import { isIP } from "node:net";

/**
 * One allowlist entry: `host`, `*.suffix` or an IP literal, with its ports (443 and 80 unless
 * given); a plain-HTTP rule (`GET http://host/path*`) also has the method (`*` for any) and the
 * path pattern (`*` matches any run of characters) a request must have. The pattern is matched
 * against the path alone, unless it contains `?`: then against the path and its query.
 */
export type EgressRule = {
  text: string;
  host: string;
  wildcard: boolean;
  ports: number[];
  http?: { method: string; path: RegExp; withQuery: boolean };
};

export const defaultPorts = [443, 80];

/** What the proxy saw of a plain-HTTP request: its method and its path with the query. */
export type HttpRequestLine = { method: string; path: string };

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/** Pure: the template's `network.allow` entries as rules. */
export function parseRules(allow: string[]): EgressRule[] {
  return allow.map((text) => {
    const http = /^(\S+) http:\/\/([^/]+)(\/\S*)$/.exec(text.trim());
    const hostPart = (http ? (http[2] ?? "") : text).trim().toLowerCase();
    const match = /^(.*?)(?::(\d{1,5}))?$/.exec(hostPart);
    const name = match?.[1] ?? "";
    const wildcard = name.startsWith("*.");
    return {
      text,
      host: wildcard ? name.slice(2) : name,
      wildcard,
      ports: match?.[2] ? [Number(match[2])] : http ? [80] : defaultPorts,
      ...(http
        ? {
            http: {
              method: (http[1] ?? "").toUpperCase(),
              path: globToRegExp(http[3] ?? "/"),
              withQuery: (http[3] ?? "").includes("?"),
            },
          }
        : {}),
    };
  });
}

/**
 * Pure: whether a request path (its query cut off) could name another path than it reads to the
 * server behind the proxy: an encoded dot, slash or backslash, a literal backslash, or a `.` or
 * `..` segment (`;params` after it included, as some servers read `/..;/`). A path rule never
 * matches such a path, so `/pub/*` cannot be walked out of.
 */
export function isAmbiguousPath(path: string): boolean {
  if (/%2e|%2f|%5c|\\/i.test(path)) return true;
  return path.split("/").some((segment) => /^\.\.?(;.*)?$/.test(segment));
}

/** Pure: a host as the proxy compares it: lower case, no trailing dot, no IPv6 brackets. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^\[(.*)\]$/, "$1");
}

/**
 * Pure: the rule that allows `host:port`, if any. `*.example.com` covers `a.example.com` and
 * `a.b.example.com`, not `example.com` itself; an IP literal is allowed only when listed as is.
 * A plain-HTTP rule allows only a request (`line`) with its method and path: never a tunnel.
 */
export function matchRule(
  rules: EgressRule[],
  host: string,
  port: number,
  line?: HttpRequestLine,
): EgressRule | undefined {
  const name = normalizeHost(host);
  if (!name) return undefined;
  const literal = isIP(name) !== 0;
  return rules.find((rule) => {
    if (!rule.ports.includes(port)) return false;
    if (rule.http) {
      // A tunnel is never a plain-HTTP request, whatever method a rule names.
      if (!line || line.method.toUpperCase() === "CONNECT") return false;
      if (rule.http.method !== "*" && rule.http.method !== line.method.toUpperCase()) return false;
      const queryAt = line.path.indexOf("?");
      const path = queryAt === -1 ? line.path : line.path.slice(0, queryAt);
      if (isAmbiguousPath(path)) return false;
      if (!rule.http.path.test(rule.http.withQuery ? line.path : path)) return false;
    }
    if (literal || rule.wildcard === false) return rule.host === name;
    return name.endsWith(`.${rule.host}`);
  });
}

function ipv4Number(ip: string): number {
  return ip.split(".").reduce((value, part) => value * 256 + Number(part), 0) >>> 0;
}

const privateV4: [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

/** Pure: an IPv6 address as its eight 16-bit groups (an embedded IPv4 tail and a zone allowed), or undefined. */
export function ipv6Groups(ip: string): number[] | undefined {
  const address = ip.toLowerCase().replace(/%.*$/, "");
  if (isIP(address) !== 6) return undefined;
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const value = ipv4Number(v4);
    text = `${text.slice(0, -v4.length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part ? part.split(":").map((group) => Number.parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((group) => group >= 0 && group <= 0xffff) ? groups : undefined;
}

const ipv4Of = (high: number, low: number) => [high >>> 8, high & 0xff, low >>> 8, low & 0xff].join(".");

/**
 * Pure: one spelling per address, so two spellings compare equal: IPv4 as is, IPv4-mapped IPv6 as
 * its IPv4, other IPv6 as eight groups in lower-case hex; undefined when not an address.
 */
export function canonicalIp(ip: string): string | undefined {
  if (isIP(ip) === 4) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return undefined;
  if (groups.slice(0, 6).join(",") === "0,0,0,0,0,65535") return ipv4Of(groups[6] ?? 0, groups[7] ?? 0);
  return groups.map((group) => group.toString(16)).join(":");
}

/** Pure: whether the first `bits` of `groups` are those of `prefix` (groups, as in ipv6Groups). */
function inPrefix(groups: number[], prefix: number[], bits: number): boolean {
  for (let index = 0; index * 16 < bits; index++) {
    const width = Math.min(16, bits - index * 16);
    const shift = 16 - width;
    if ((groups[index] ?? 0) >>> shift !== (prefix[index] ?? 0) >>> shift) return false;
  }
  return true;
}

/** IPv6 ranges that are this machine, a private network, or a door into IPv4 the proxy cannot check. */
const refusedV6: [number[], number, string][] = [
  [[0, 0, 0, 0, 0, 0], 96, "IPv4-compatible, unspecified and loopback (::/96)"],
  [[0, 0, 0, 0, 0xffff, 0], 96, "IPv4-translated (::ffff:0:0:0/96)"],
  [[0x64, 0xff9b, 0, 0, 0, 0], 96, "NAT64 (64:ff9b::/96)"],
  [[0x64, 0xff9b, 1], 48, "local NAT64 (64:ff9b:1::/48)"],
  [[0x100, 0, 0, 0], 64, "discard (100::/64)"],
  [[0x2001, 0], 32, "Teredo (2001::/32)"],
  [[0x2001, 0xdb8], 32, "documentation (2001:db8::/32)"],
  [[0xfc00], 7, "unique local (fc00::/7)"],
  [[0xfe80], 10, "link-local (fe80::/10)"],
  [[0xfec0], 10, "site-local (fec0::/10)"],
  [[0xff00], 8, "multicast (ff00::/8)"],
];

/**
 * Pure: loopback, private, link-local, CGNAT, multicast and reserved addresses: this machine and
 * its networks, which a name in the allowlist must not be used to reach (DNS rebinding). IPv6
 * forms that carry an IPv4 address (mapped, 6to4) are judged by that address; those whose
 * destination the proxy cannot see (IPv4-compatible, NAT64, Teredo) are refused outright.
 */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const value = ipv4Number(ip);
    return privateV4.some(([base, bits]) => value >>> (32 - bits) === ipv4Number(base) >>> (32 - bits));
  }
  const groups = ipv6Groups(ip);
  if (!groups) return true; // not an address at all: refuse
  if (inPrefix(groups, [0, 0, 0, 0, 0, 0xffff], 96))
    return isPrivateAddress(ipv4Of(groups[6] ?? 0, groups[7] ?? 0));
  if (inPrefix(groups, [0x2002], 16)) return isPrivateAddress(ipv4Of(groups[1] ?? 0, groups[2] ?? 0));
  return refusedV6.some(([prefix, bits]) => inPrefix(groups, prefix, bits));
}

type InterfaceAddresses = Record<string, { address: string }[] | undefined>;

/** Pure: the host's own addresses (as `os.networkInterfaces()` lists them), in canonical form. */
export function hostAddresses(interfaces: InterfaceAddresses): Set<string> {
  const own = new Set<string>();
  for (const entries of Object.values(interfaces))
    for (const entry of entries ?? []) {
      const canonical = canonicalIp(entry.address);
      if (canonical) own.add(canonical);
    }
  return own;
}

/**
 * Pure: whether `ip` is one of this machine's own addresses, in any spelling (a public address on
 * one of its interfaces reaches the panel's host as surely as 127.0.0.1 does).
 */
export function isHostAddress(ip: string, own: ReadonlySet<string>): boolean {
  const canonical = canonicalIp(ip);
  return canonical !== undefined && own.has(canonical);
}
