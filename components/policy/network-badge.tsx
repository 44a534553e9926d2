import { Badge } from "@/components/ui";

/** `full` is shown as a warning everywhere it appears. */
export function NetworkBadge({ profile }: { profile: string | null }) {
  if (!profile) return null;
  const tone = profile === "full" ? "fail" : profile === "none" ? "ok" : "neutral";
  return <Badge tone={tone}>{profile === "full" ? "⚠ full network" : `network: ${profile}`}</Badge>;
}
