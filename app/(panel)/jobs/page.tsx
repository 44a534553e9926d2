"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useRef, useState } from "react";
import { JobSessionsCard } from "@/components/jobs/job-sessions-card";
import { JobsTable, OlderJobsButton } from "@/components/jobs/jobs-table";
import { NewJobForm, newSession } from "@/components/jobs/new-job-form";
import { useJobsList } from "@/components/jobs/use-jobs-list";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { buttonClass, Card, linkClass, QueryState, Skeleton, smallButtonClass } from "@/components/ui";

const sessionPattern = /^s-[a-z2-7]{10}$/;
const claudeCodeImage = "localhost/claw-claude-code:latest";

/** What stops a job before it starts, said before anyone types a prompt. */
function ReadinessBanner() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.jobs.settings.queryOptions());
  const images = useQuery({ ...trpc.images.list.queryOptions(), retry: false });
  const noCredentials = settings.data && !settings.data.apiKeySet && !settings.data.credentialsSet;
  const noImage = images.data && !images.data.images.some((image) => image.ref === claudeCodeImage);
  if (!noCredentials && !noImage) return null;
  return (
    <div
      role="status"
      className="space-y-1 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
    >
      {noImage ? (
        <p>
          The Claude Code image is not built yet.{" "}
          <Link href="/images" className="font-medium underline">
            Build it on the Images page
          </Link>{" "}
          (or run <code className="font-mono text-xs">claw images build claude-code</code>).
        </p>
      ) : null}
      {noCredentials ? (
        <p>
          Claude Code has no credentials.{" "}
          <Link href="/jobs/settings" className="font-medium underline">
            Set an API key or OAuth credentials
          </Link>{" "}
          in the job settings.
        </p>
      ) : null}
    </div>
  );
}

function JobsList({ sessionId }: { sessionId: string | undefined }) {
  const router = useRouter();
  const { list, jobs } = useJobsList({ sessionId });
  const clearFilter = () => router.replace("/jobs", { scroll: false });

  return (
    <Card
      title={sessionId ? `Jobs of ${sessionId}` : "Jobs"}
      action={
        sessionId ? (
          <button type="button" className={smallButtonClass} onClick={clearFilter}>
            Show all jobs
          </button>
        ) : null
      }
    >
      <QueryState
        query={{ data: jobs, error: list.error }}
        errorTitle="Could not load jobs"
        lines={3}
        empty={
          sessionId ? (
            <>
              No jobs in session {sessionId}.{" "}
              <button type="button" className={linkClass} onClick={clearFilter}>
                Show all jobs
              </button>
            </>
          ) : (
            <div className="space-y-2">
              <p>No jobs yet.</p>
              <p>
                A job runs Claude Code once, non-interactively, on your prompt, in a fresh container that
                reaches only the model API (through the egress proxy, recorded in the audit log). It works in
                its session&apos;s workspace; a later job in the same session resumes the conversation. Its
                output streams here as it happens.
              </p>
            </div>
          )
        }
      >
        {(jobs) => (
          <div className="space-y-3">
            <JobsTable jobs={jobs} />
            <OlderJobsButton list={list} />
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function JobsView() {
  const params = useSearchParams();
  const requested = params.get("session") ?? "";
  const sessionFilter = sessionPattern.test(requested) ? requested : undefined;
  const [session, setSession] = useState(newSession);
  const prompt = useRef<HTMLTextAreaElement>(null);

  const resume = (sessionId: string) => {
    setSession(sessionId);
    prompt.current?.focus();
    prompt.current?.scrollIntoView({ block: "center", behavior: "smooth" });
  };

  return (
    <>
      <ReadinessBanner />
      <Card title="New job">
        <NewJobForm session={session} onSessionChange={setSession} promptRef={prompt} />
      </Card>
      <JobsList key={sessionFilter ?? "all"} sessionId={sessionFilter} />
      <JobSessionsCard onResume={resume} />
    </>
  );
}

export default function JobsPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Jobs"
        description="Claude Code, run once per prompt in a hardened container, with its output live."
        actions={
          <Link href="/jobs/settings" className={buttonClass}>
            Settings
          </Link>
        }
      />
      <Suspense fallback={<Skeleton lines={6} />}>
        <JobsView />
      </Suspense>
    </div>
  );
}
