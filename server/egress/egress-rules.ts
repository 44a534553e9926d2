import { isIP } from "node:net";

/** One allowlist entry: `host`, `*.suffix` or an IP literal, with its ports (443 and 80 unless given). */
export type EgressRule = { text: string; host: string; wildcard: boolean; ports: number[] };

export const defaultPorts = [443, 80];

/** Pure: the template's `network.allow` entries as rules. */
export function parseRules(allow: string[]): EgressRule[] {
  return allow.map((text) => {
    const match = /^(.*?)(?::(\d{1,5}))?$/.exec(text.trim().toLowerCase());
    const name = match?.[1] ?? "";
    const wildcard = name.startsWith("*.");
    return {
      text,
      host: wildcard ? name.slice(2) : name,
      wildcard,
      ports: match?.[2] ? [Number(match[2])] : defaultPorts,
    };
  });
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
 */
export function matchRule(rules: EgressRule[], host: string, port: number): EgressRule | undefined {
  const name = normalizeHost(host);
  if (!name) return undefined;
  const literal = isIP(name) !== 0;
  return rules.find((rule) => {
    if (!rule.ports.includes(port)) return false;
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

/**
 * Pure: loopback, private, link-local, CGNAT, multicast and reserved addresses: this machine and
 * its networks, which a name in the allowlist must not be used to reach (DNS rebinding).
 */
export function isPrivateAddress(ip: string): boolean {
  const address = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  if (mapped) return isPrivateAddress(mapped);
  if (isIP(address) === 4) {
    const value = ipv4Number(address);
    return privateV4.some(([base, bits]) => value >>> (32 - bits) === ipv4Number(base) >>> (32 - bits));
  }
  if (isIP(address) === 6) {
    return (
      address === "::" ||
      address === "::1" ||
      /^f[cd]/.test(address) || // unique local fc00::/7
      /^fe[89ab]/.test(address) || // link-local fe80::/10
      /^ff/.test(address) // multicast
    );
  }
  return true; // not an address at all: refuse
}
