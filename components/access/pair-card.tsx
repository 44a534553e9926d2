"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  Card,
  Checkbox,
  ErrorAlert,
  Field,
  fieldClass,
  helpClass,
  helpIdOf,
  linkClass,
  primaryButtonClass,
  QueryState,
} from "@/components/ui";
import { type AccessStatus, type CreatedPairing, isOpen, type Role } from "./access-types";
import { PairingResult } from "./pairing-result";

type BlockedReason = "bot" | "agents" | "full";

/** Why the button is off, in words, with where to fix it. */
function Blocked({
  id,
  reason,
  agent,
  waiting,
  max,
}: {
  id: string;
  reason: BlockedReason;
  agent: string;
  waiting: number;
  max: number;
}) {
  return (
    <span id={id} className="text-sm text-zinc-600 dark:text-zinc-400">
      {reason === "bot" ? (
        "Set up the Telegram bot first: paste its token in the bot's card."
      ) : reason === "agents" ? (
        <>
          There are no agents yet.{" "}
          <Link href="/agents" className={linkClass}>
            Create one
          </Link>{" "}
          first.
        </>
      ) : (
        `${agent} already has ${waiting} links waiting (at most ${max}): cancel one below, or let it expire.`
      )}
    </span>
  );
}

/**
 * One person, one agent, one role: a single-use link (and QR code) that expires. The pairing made
 * here stays below the form, followed live until it is confirmed or ends.
 */
export function PairCard({
  status,
  requestedAgent,
  created,
  onCreated,
}: {
  status: AccessStatus;
  requestedAgent: string | null;
  created: CreatedPairing | null;
  onCreated: (pairing: CreatedPairing | null) => void;
}) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const open = useQuery(trpc.access.pairings.queryOptions());
  const names = agents.data?.agents.map((agent) => agent.name) ?? [];
  const [chosen, setChosen] = useState(requestedAgent ?? "");
  const [role, setRole] = useState<Role>("viewer");
  // Unset follows the role (admins run jobs unless unticked); once ticked or unticked, it stays.
  const [jobsChoice, setJobsChoice] = useState<boolean | null>(null);
  const jobs = jobsChoice ?? role === "admin";
  const [minutes, setMinutes] = useState(String(status.expiryMinutes.default));
  const pair = useMutation(
    trpc.access.pair.mutationOptions({
      onSuccess: (pairing) => {
        onCreated(pairing);
        void queryClient.invalidateQueries({ queryKey: trpc.access.pairings.pathKey() });
      },
    }),
  );
  const agent = names.includes(chosen) ? chosen : (names[0] ?? "");
  const waitingFor = (open.data ?? []).filter((pairing) => pairing.agent === agent && isOpen(pairing.status));
  const full = waitingFor.length >= status.maxOpenPairingsPerAgent;
  const blocked: BlockedReason | null = !status.telegram.configured
    ? "bot"
    : names.length === 0
      ? "agents"
      : full
        ? "full"
        : null;
  const requestedMissing = Boolean(agents.data && requestedAgent && !names.includes(requestedAgent));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (blocked || pair.isPending) return;
    pair.mutate({ channel: "telegram", agent, role, jobs, expiresInMinutes: Number(minutes) });
  };

  return (
    <Card title="Pair someone">
      <QueryState query={agents} errorTitle="Could not load the agents" lines={4}>
        {() => (
          <div className="space-y-5">
            <form onSubmit={submit} aria-label="Pair someone" className="space-y-4">
              <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_10rem]">
                <Field id={`${id}-agent`} label="Agent">
                  <select
                    id={`${id}-agent`}
                    value={agent}
                    onChange={(event) => setChosen(event.target.value)}
                    disabled={names.length === 0}
                    className={fieldClass}
                  >
                    {names.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field id={`${id}-minutes`} label="Link expires after">
                  <div className="flex items-center gap-2">
                    <input
                      id={`${id}-minutes`}
                      type="number"
                      required
                      min={status.expiryMinutes.min}
                      max={status.expiryMinutes.max}
                      step={1}
                      value={minutes}
                      onChange={(event) => setMinutes(event.target.value)}
                      aria-describedby={`${id}-minutes-unit`}
                      className={fieldClass}
                    />
                    <span id={`${id}-minutes-unit`} className="text-sm text-zinc-500 dark:text-zinc-400">
                      min
                    </span>
                  </div>
                </Field>
              </div>
              <Field
                id={`${id}-role`}
                label="Role"
                help={
                  <>
                    {role}: {status.roles.find((option) => option.role === role)?.description}. Each role can
                    do what the ones above it can: give the least that will do.
                  </>
                }
              >
                <select
                  id={`${id}-role`}
                  value={role}
                  onChange={(event) => setRole(event.target.value as Role)}
                  aria-describedby={helpIdOf(`${id}-role`)}
                  className={fieldClass}
                >
                  {status.roles.map((option) => (
                    <option key={option.role} value={option.role}>
                      {option.role}: {option.description}
                    </option>
                  ))}
                </select>
              </Field>
              <div>
                <Checkbox
                  checked={jobs}
                  onChange={setJobsChoice}
                  describedBy={helpIdOf(`${id}-jobs`)}
                  className="text-sm font-medium"
                >
                  May run Claude Code jobs from the chat
                </Checkbox>
                <span id={helpIdOf(`${id}-jobs`)} className={helpClass}>
                  A right of its own, whatever the role: /job runs Claude Code with this panel&apos;s
                  credentials, at most {status.jobsPerHour.default} jobs an hour (change it later in the list
                  below). Off unless you tick it; on for admins.
                </span>
              </div>
              <div className="flex flex-wrap items-center gap-3">
                <button
                  type="submit"
                  className={primaryButtonClass}
                  disabled={Boolean(blocked) || pair.isPending}
                  aria-describedby={blocked ? `${id}-blocked` : undefined}
                >
                  {pair.isPending ? "Creating…" : "Create pairing link"}
                </button>
                {blocked ? (
                  <Blocked
                    id={`${id}-blocked`}
                    reason={blocked}
                    agent={agent}
                    waiting={waitingFor.length}
                    max={status.maxOpenPairingsPerAgent}
                  />
                ) : null}
              </div>
              {status.telegram.configured && ["off", "failed"].includes(status.telegram.state) ? (
                <p className="text-sm text-amber-800 dark:text-amber-300">
                  The bot is {status.telegram.state}: a link made now works once it runs again.
                </p>
              ) : null}
              {requestedMissing ? (
                <p className="text-sm text-amber-800 dark:text-amber-300">
                  There is no agent called {requestedAgent}; choose another.
                </p>
              ) : null}
              <ErrorAlert error={pair.error} title="No link was made" />
            </form>
            {created ? (
              <PairingResult key={created.id} created={created} onDone={() => onCreated(null)} />
            ) : null}
          </div>
        )}
      </QueryState>
    </Card>
  );
}
