import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AuditLog } from "../audit/audit-log";
import { AppError, httpStatusOf, isAppError } from "../errors";
import { serveForContainer } from "../fs/listen-for-container";
import { badRequestTarget, requestUrl } from "../http/request-url";
import {
  type AgentJobsDeps,
  agentJobCancel,
  agentJobOutput,
  agentJobStatus,
  agentSessions,
  agentSessionsCleanup,
  checkPrompt,
  type createAgentJobStarter,
  defaultOutputLimit,
} from "../jobs/agent-jobs";
import { jobIdPattern, sessionIdPattern } from "../jobs/job-files";
import type { AgentJobsPolicy } from "../policy/agent-jobs";

/**
 * One agent's API: HTTP on a Unix socket the panel listens on, in a directory mounted read-only
 * into that agent's container alone. Whoever connects is that agent (root in its container, so
 * nothing it sends is trusted): the socket is the identity, no token is given or taken. It offers
 * Claude Code jobs within the agent's signed policy and nothing else of the panel.
 */
export type AgentApiOptions = {
  agent: string;
  socketPath: string;
  /** From the spec whose lock was verified when the agent started. */
  policy: AgentJobsPolicy;
  jobs: AgentJobsDeps;
  start: ReturnType<typeof createAgentJobStarter>;
  audit: AuditLog;
};

const maxBodyBytes = 512 * 1024;
const maxConnections = 16;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes)
      throw new AppError("BAD_REQUEST", `The request body is over ${maxBodyBytes / 1024} KiB`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new AppError("BAD_REQUEST", "The request body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new AppError("BAD_REQUEST", "The request body is not a JSON object");
  return body as Record<string, unknown>;
}

/** An optional id of the given shape, or an error naming the field. */
function idOf(value: unknown, pattern: RegExp, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !pattern.test(value))
    throw new AppError("BAD_REQUEST", `${field} is not a ${field.replace("_", " ")}`, {
      fix: `Pass the ${field} an earlier call returned.`,
    });
  return value;
}

function byteCount(value: string | null, fallback: number, field: string): number {
  if (value === null || value === "") return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new AppError("BAD_REQUEST", `${field} is not a whole number of bytes`);
  return number;
}

const notOffered = (method: string, path: string) =>
  new AppError("NOT_FOUND", `Your agent API has no ${method} ${path}`, {
    fix: "It offers only Claude Code jobs: the claude_code_* tools.",
  });

/** Routes one request; every answer is JSON. */
async function route(options: AgentApiOptions, req: IncomingMessage): Promise<unknown> {
  const url = requestUrl(req);
  if (!url) throw new AppError("BAD_REQUEST", badRequestTarget);
  const method = req.method ?? "GET";
  const { agent, jobs } = options;
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] !== "v1" || parts[1] !== "claude-code") throw notOffered(method, url.pathname);
  const [, , collection, id, action] = parts;
  if (collection === "jobs" && parts.length === 3 && method === "POST") {
    const body = await readJson(req);
    const prompt = checkPrompt(body.prompt);
    const sessionId = idOf(body.session_id, sessionIdPattern, "session_id");
    try {
      return await options.start(agent, options.policy, { prompt, sessionId });
    } catch (error) {
      if (isAppError(error) && error.code === "TOO_MANY_REQUESTS")
        await options.audit.record({
          category: "job",
          action: "job_refused",
          actor: `agent:${agent}`,
          agent,
          outcome: "denied",
          details: { reason: error.message },
        });
      throw error;
    }
  }
  if (collection === "jobs" && id !== undefined) {
    const jobId = idOf(id, jobIdPattern, "job_id") as string;
    if (parts.length === 4 && method === "GET") return agentJobStatus(jobs, agent, jobId);
    if (action === "output" && parts.length === 5 && method === "GET")
      return agentJobOutput(
        jobs,
        agent,
        jobId,
        byteCount(url.searchParams.get("offset"), 0, "offset"),
        Math.max(1, byteCount(url.searchParams.get("limit"), defaultOutputLimit, "limit")),
      );
    if (action === "cancel" && parts.length === 5 && method === "POST") {
      await readJson(req);
      return agentJobCancel(jobs, agent, jobId);
    }
  }
  if (collection === "sessions" && parts.length === 3 && method === "GET") return agentSessions(jobs, agent);
  if (collection === "sessions" && id === "cleanup" && parts.length === 4 && method === "POST") {
    const body = await readJson(req);
    return agentSessionsCleanup(jobs, agent, idOf(body.session_id, sessionIdPattern, "session_id"));
  }
  throw notOffered(method, url.pathname);
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startAgentApi(options: AgentApiOptions): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    route(options, req).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        if (isAppError(error))
          return send(res, httpStatusOf[error.code], {
            error: error.message,
            ...(error.fix ? { fix: error.fix } : {}),
          });
        console.error(`claw: agent API of ${options.agent}: ${(error as Error).stack ?? error}`);
        send(res, 500, { error: "The panel could not answer; the panel's log has the details" });
      },
    );
  });
  // An agent holding requests open must not hold the panel's sockets for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return serveForContainer(server, options.socketPath, { maxConnections });
}
