"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { ArtifactView } from "@/components/policy/artifact-view";
import { ExplanationView } from "@/components/policy/explanation-view";
import { useTRPC } from "@/components/trpc";
import { Card, ErrorAlert, primaryButtonClass, Skeleton } from "@/components/ui";

export default function TemplatePage() {
  const { name } = useParams<{ name: string }>();
  const trpc = useTRPC();
  const template = useQuery(trpc.templates.show.queryOptions({ name }));
  const broken = (template.data?.problems.length ?? 0) > 0;
  const preview = useQuery({
    ...trpc.templates.preview.queryOptions({ template: name, agent: "" }),
    enabled: template.isSuccess && !broken,
  });

  return (
    <div className="space-y-6">
      <PageHeader
        title={name}
        parent={{ href: "/templates", label: "Templates" }}
        actions={
          !broken ? (
            <Link href={`/agents?template=${name}`} className={primaryButtonClass}>
              Create an agent from it
            </Link>
          ) : null
        }
      />
      <ErrorAlert error={template.error} title="Could not load the template" />
      {template.data && broken ? (
        <Card title="Problems">
          <ul className="space-y-1 font-mono text-xs text-red-700 dark:text-red-400">
            {template.data.problems.map((p) => (
              <li key={`${p.line}:${p.column}:${p.path}`}>
                {p.source}:{p.line}:{p.column}: {p.path} {p.message}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="YAML">
          {template.data ? (
            <pre className="max-h-[32rem] overflow-auto rounded-md bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-950">
              {template.data.text}
            </pre>
          ) : (
            <Skeleton lines={8} />
          )}
        </Card>
        <Card title="What an agent from it gets">
          {preview.data ? (
            <ExplanationView explanation={preview.data.explanation} />
          ) : broken ? (
            <p className="text-sm">Fix the problems first.</p>
          ) : (
            <Skeleton lines={8} />
          )}
        </Card>
      </div>
      {preview.data ? (
        <Card title="Compiled artifacts">
          <div className="space-y-3">
            <ArtifactView title="openclaw.json" value={preview.data.openclawConfig} />
            <ArtifactView title="container-spec.json" value={preview.data.containerSpec} />
          </div>
        </Card>
      ) : null}
    </div>
  );
}
