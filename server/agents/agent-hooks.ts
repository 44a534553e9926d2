import { request } from "node:http";
import type { Socket } from "node:net";
import { type JobNotice, jobNoticeText } from "../jobs/job-notify";
import type { HookResult } from "../jobs/job-runtime";

const answerTimeoutMs = 20_000;

/**
 * Pure: the `/hooks/wake` body of a job-end notice. The Gateway runs one turn of the agent's main
 * session at once with it ("System: …"), so the conversation that started the job hears how it
 * ended. (`/hooks/agent` would run it in a fresh session of its own, which the person never sees.)
 */
export function jobNoticeHookBody(agent: string, notice: JobNotice) {
  return { text: jobNoticeText(notice), mode: "now", agentId: agent };
}

/**
 * Posts a job-end notice to the agent's Gateway (`POST /hooks/wake`) over a tunnel from its
 * bridge, with the hooks token the panel holds. The answer comes from the agent's container: only
 * its status is read, and at most a few KiB of its body for the audit log.
 */
export async function postJobNotice(
  claim: () => Promise<Socket>,
  token: string,
  agent: string,
  notice: JobNotice,
): Promise<HookResult> {
  const tunnel = await claim();
  const body = JSON.stringify(jobNoticeHookBody(agent, notice));
  return new Promise((resolve) => {
    const req = request(
      {
        createConnection: () => tunnel,
        path: "/hooks/wake",
        method: "POST",
        headers: {
          host: "127.0.0.1",
          connection: "close",
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "idempotency-key": `claw-job-${notice.jobId}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < 2000) text += chunk;
          else res.destroy();
        });
        const done = () =>
          resolve({
            ok: res.statusCode === 200,
            status: res.statusCode ?? null,
            error: res.statusCode === 200 ? null : text.slice(0, 300) || (res.statusMessage ?? "no answer"),
          });
        res.on("end", done);
        res.on("close", done);
      },
    );
    req.setTimeout(answerTimeoutMs, () => req.destroy(new Error("the Gateway did not answer in time")));
    req.on("error", (error) => resolve({ ok: false, status: null, error: error.message }));
    req.end(body);
  });
}
