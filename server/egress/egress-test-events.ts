import type { TestAuditLog } from "../audit/audit-test-log";

/** Records one egress connection of `agent` in a test audit log, as the proxy does. */
export const recordEgress = (
  log: TestAuditLog,
  agent: string,
  allowed: boolean,
  details: Record<string, string | number>,
) =>
  log.audit.record({
    category: "egress",
    action: allowed ? "egress_allowed" : "egress_denied",
    actor: `agent:${agent}`,
    agent,
    outcome: allowed ? "ok" : "denied",
    details,
  });
