// What the audit log's events are sorted by: the server validates against these, the viewer and the
// CLI offer them as filters. One list, so a new category shows up everywhere at once.

export const auditCategories = [
  "lifecycle",
  "policy",
  "access",
  "terminal",
  "job",
  "egress",
  "approval",
  "model",
  "secrets",
  "panel",
] as const;
export const auditOutcomes = ["ok", "denied", "error"] as const;
