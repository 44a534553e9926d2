import Link from "next/link";
import { setSecretHref } from "@/components/settings/secret-types";
import { Badge, linkClass, type Tone } from "@/components/ui";
import type { AgentLive, AgentModel } from "./agent-types";

/**
 * Whether the agent's model can be used: it has a route and the route's secret is set. Without
 * the readiness (not loaded) there is nothing to warn of.
 */
export function modelReady(model: AgentModel | null | undefined): boolean {
  return !model || (model.route !== null && model.missingSecret === null);
}

/** Where a missing model key is set: Settings with its name filled in; none for other causes. */
export function modelFixHref(model: AgentModel | null | undefined): string | undefined {
  return model?.missingSecret ? setSecretHref(model.missingSecret) : undefined;
}

/**
 * What the badge says and how loudly: "starting…" while the Gateway is not answering yet, "ready —
 * no model" when it answers but its model requests would fail (no route, or its secret is not set).
 */
export function statusOf(live: AgentLive | null, model?: AgentModel | null): { label: string; tone: Tone } {
  if (!live) return { label: "checking…", tone: "neutral" };
  switch (live.state) {
    case "running":
      if (!live.ready) return { label: "starting…", tone: "warn" };
      return modelReady(model) ? { label: "ready", tone: "ok" } : { label: "ready — no model", tone: "warn" };
    case "exited":
      return { label: live.exitCode === null ? "exited" : `exited ${live.exitCode}`, tone: "fail" };
    case "missing":
      return { label: "missing", tone: "fail" };
    case "paused":
      return { label: "paused", tone: "warn" };
    case "unknown":
      return { label: "unknown", tone: "warn" };
    default:
      return { label: live.state, tone: "neutral" };
  }
}

/** Why the agent has no model and what to do, with a link to Settings when a secret is missing. */
export function NoModelNote({ model, id }: { model: AgentModel | null | undefined; id?: string }) {
  if (modelReady(model) || !model) return null;
  const href = modelFixHref(model);
  return (
    <span id={id} className="text-xs text-amber-800 dark:text-amber-300">
      {model.fix ?? "Its model is not set up."}
      {href ? (
        <>
          {" "}
          <Link href={href} className={linkClass}>
            Set {model.missingSecret} →
          </Link>
        </>
      ) : null}
    </span>
  );
}

export function StatusBadge({
  live,
  model,
  showNote = false,
}: {
  live: AgentLive | null;
  /** The model's readiness: a ready agent without a usable model reads "ready — no model". */
  model?: AgentModel | null;
  showNote?: boolean;
}) {
  const { label, tone } = statusOf(live, model);
  const noModel = live?.state === "running" && live.ready && !modelReady(model);
  const note = live?.note ?? undefined;
  const title = [note, noModel ? model?.fix : null].filter(Boolean).join(" ") || undefined;
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <span
        title={title}
        data-agent-state={live?.state ?? "checking"}
        data-model-ready={model ? (modelReady(model) ? "yes" : "no") : undefined}
      >
        <Badge tone={tone}>{label}</Badge>
      </span>
      {showNote && note ? <span className="text-xs text-zinc-500 dark:text-zinc-400">{note}</span> : null}
      {showNote && noModel ? <NoModelNote model={model} /> : null}
    </span>
  );
}
