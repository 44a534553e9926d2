"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { PageHeader } from "@/components/page-header";
import { setSecretParam } from "@/components/settings/secret-types";
import { SecretsSection } from "@/components/settings/secrets-section";
import { Skeleton } from "@/components/ui";

function Settings() {
  const prefill = useSearchParams().get(setSecretParam) ?? undefined;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Settings"
        description="What the panel keeps for your agents and jobs. Every change is recorded in the audit log."
      />
      <SecretsSection key={prefill} prefill={prefill} />
    </div>
  );
}

export default function SettingsPage() {
  return (
    <Suspense fallback={<Skeleton lines={6} />}>
      <Settings />
    </Suspense>
  );
}
