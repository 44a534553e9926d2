import type { JobSettings } from "./job-settings";

export type JobNotice = {
  jobId: string;
  sessionId: string;
  status: string;
  outputBytes: number;
  durationMs: number;
  resultText: string | null;
};

/** Pure: the message a person reads, with the real output size. */
export function jobNoticeText(notice: JobNotice): string {
  const size =
    notice.outputBytes < 1024 ? `${notice.outputBytes} B` : `${(notice.outputBytes / 1024).toFixed(1)} KiB`;
  const head = `Claude Code job ${notice.jobId} ${notice.status} after ${Math.round(notice.durationMs / 1000)} s (${size} of output).`;
  const text = notice.resultText?.trim();
  return text ? `${head}\n\n${text.length > 1500 ? `${text.slice(0, 1500)}…` : text}` : head;
}

/**
 * POSTs the notice in OpenClaw's `/hooks/agent` shape with the bearer token. Never throws: the
 * answer (or the error) is returned for the audit log.
 */
export async function sendJobWebhook(
  webhook: NonNullable<JobSettings["webhook"]>,
  token: string | undefined,
  notice: JobNotice,
): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  try {
    const response = await fetch(webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        message: jobNoticeText(notice),
        name: "claw",
        sessionKey: `claw:job-session:${notice.sessionId}`,
        deliver: webhook.deliver,
        channel: webhook.channel,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return { ok: response.ok, status: response.status, error: response.ok ? null : response.statusText };
  } catch (error) {
    return { ok: false, status: null, error: error instanceof Error ? error.message : String(error) };
  }
}
