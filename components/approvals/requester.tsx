import Link from "next/link";
import { linkClass } from "@/components/ui";

/** Who raised a request, linked: "agent NAME", or "job ID of agent NAME" (capitalised to start a sentence). */
export function Requester({
  agent,
  job,
  capital = false,
}: {
  agent: string | null;
  job: string | null;
  capital?: boolean;
}) {
  if (job)
    return (
      <span>
        {capital ? "Job" : "job"}{" "}
        <Link href={`/jobs/${job}`} className={`font-mono font-medium ${linkClass}`}>
          {job}
        </Link>
        {agent ? (
          <>
            {" "}
            of agent{" "}
            <Link href={`/agents/${agent}`} className={`font-medium ${linkClass}`}>
              {agent}
            </Link>
          </>
        ) : null}
      </span>
    );
  if (!agent) return <span>{capital ? "An" : "an"} unknown agent</span>;
  return (
    <span>
      {capital ? "Agent" : "agent"}{" "}
      <Link href={`/agents/${agent}`} className={`font-medium ${linkClass}`}>
        {agent}
      </Link>
    </span>
  );
}
