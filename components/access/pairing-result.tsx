"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { buttonClass, StatusMessage, useNow } from "@/components/ui";
import {
  type CreatedPairing,
  formatCode,
  isOpen,
  type Pairing,
  pairingsPollMs,
  personOf,
  timeLeft,
} from "./access-types";
import { type Decidable, DecisionButtons, DecisionError, usePairingDecisions } from "./pairing-decisions";
import { PairingLink } from "./pairing-link";

const ended: Record<string, string> = {
  rejected: "Rejected: the bot told them the pairing was turned down.",
  cancelled: "Cancelled: the link no longer works.",
  expired: "Expired before it was confirmed: make another if they still need access.",
};

/** Someone opened the link: who, the code the bot showed them, and the decision. */
function Claimed({
  pairing,
  created,
  decisions,
}: {
  pairing: Pairing;
  created: CreatedPairing;
  decisions: ReturnType<typeof usePairingDecisions>;
}) {
  return (
    <div className="space-y-3 text-sm">
      <p>
        <strong data-testid="pairing-subject">{personOf(pairing)}</strong>{" "}
        <span className="text-zinc-500 dark:text-zinc-400">(Telegram id {pairing.subjectId})</span> opened the
        link and asks for the <strong>{created.role}</strong> role on <strong>{created.agent}</strong>. The
        bot showed them this code:
      </p>
      <p
        data-testid="pairing-code"
        className="font-mono text-5xl font-semibold tracking-widest tabular-nums text-zinc-900 dark:text-zinc-50"
      >
        {pairing.code ? formatCode(pairing.code) : "—"}
      </p>
      <p className="font-medium">
        Confirm only if they see the same code in their chat with the bot. If it differs, or you do not know
        who this is, reject.
      </p>
      <DecisionButtons pairing={pairing} decisions={decisions} />
    </div>
  );
}

/**
 * The pairing just made, followed live: its QR code and link while nobody has opened it, then the
 * person and their code to confirm, then how it ended.
 */
export function PairingResult({ created, onDone }: { created: CreatedPairing; onDone: () => void }) {
  const trpc = useTRPC();
  const now = useNow();
  const decisions = usePairingDecisions();
  const pairing = useQuery({
    ...trpc.access.pairing.queryOptions({ id: created.id }),
    refetchInterval: (query) =>
      !query.state.data || isOpen(query.state.data.status) ? pairingsPollMs : false,
  });
  const row = pairing.data;
  const waiting: Decidable = {
    id: created.id,
    status: "pending",
    code: null,
    subjectId: null,
    subjectName: null,
  };
  const status = row?.status ?? "pending";

  return (
    <section
      aria-label="New pairing"
      data-pairing-status={status}
      className="space-y-4 rounded-md border border-zinc-200 p-4 dark:border-zinc-800"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-sm font-semibold">
          {created.role} on {created.agent}
        </h3>
        {isOpen(status) ? (
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            expires in <span className="tabular-nums">{timeLeft(created.expiresAt, now)}</span>
          </span>
        ) : null}
      </div>

      {/* The countdown above ticks every second; only this part is announced when it changes. */}
      <div aria-live="polite" className="space-y-4">
        {status === "pending" ? (
          <>
            <PairingLink link={created.link} qrSvg={created.qrSvg} />
            <div className="flex flex-wrap items-center gap-3 text-sm">
              <span role="status" className="text-zinc-600 dark:text-zinc-400">
                Waiting for someone to open the link…
              </span>
              <DecisionButtons pairing={row ?? waiting} decisions={decisions} />
            </div>
          </>
        ) : status === "claimed" && row ? (
          <Claimed pairing={row} created={created} decisions={decisions} />
        ) : status === "confirmed" && row ? (
          <p role="status" className="text-sm font-medium text-emerald-700 dark:text-emerald-400">
            Paired: {personOf(row)} is now {created.role} on {created.agent}. The bot told them; they can send
            /help.
          </p>
        ) : (
          <StatusMessage>{ended[status] ?? status}</StatusMessage>
        )}
      </div>

      {pairing.error ? (
        <p className="text-sm text-red-700 dark:text-red-400">
          Could not follow the pairing: {pairing.error.message}
        </p>
      ) : null}
      <DecisionError decisions={decisions} />
      {isOpen(status) ? null : (
        <button type="button" className={buttonClass} onClick={onDone}>
          Pair someone else
        </button>
      )}
    </section>
  );
}
