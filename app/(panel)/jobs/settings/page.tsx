"use client";

import { useQuery } from "@tanstack/react-query";
import { JobSettingsForms } from "@/components/jobs/job-settings-forms";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { QueryState } from "@/components/ui";

export default function JobSettingsPage() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.jobs.settings.queryOptions());
  return (
    <div className="space-y-6">
      <PageHeader
        title="Job settings"
        parent={{ href: "/jobs", label: "Jobs" }}
        description="Where Claude Code jobs send their requests, how they sign in, and who hears when one ends. Every change is recorded in the audit log."
      />
      <QueryState query={settings} errorTitle="Could not load the job settings" lines={6}>
        {(data) => <JobSettingsForms settings={data} />}
      </QueryState>
    </div>
  );
}
