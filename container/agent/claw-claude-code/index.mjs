// claw-claude-code: the six Claude Code tools of the predecessor openclaw-plugin-claude-code
// (claude_code_start, _status, _output, _cancel, _cleanup, _sessions), for an agent in a claw container.
//
// Trust model: this plugin holds no credential, no token and no container runtime. Each tool is one
// plain HTTP/1.1 JSON request over the Unix socket the claw panel listens on, mounted read-only at
// /run/claw/api/agent.sock. The panel knows which agent calls from the socket itself (one per agent),
// so nothing here can claim another identity; the panel runs Claude Code in its own container, keeps
// the model key, and checks every job and session id against the calling agent. A compromised agent
// can ask for no more than these six requests. What comes back (Claude Code's output) is data for the
// model to read, never instructions to this plugin.
//
// Plain ESM with node: builtins only, no build step, and no import of OpenClaw: the default export is
// the object definePluginEntry (openclaw/plugin-sdk/plugin-entry) would return.
import { request } from "node:http";

const defaultSocketPath = "/run/claw/api/agent.sock";
const requestTimeoutMs = 30_000;
/** More than the largest page of output (64 KiB, JSON-escaped), far less than a container's memory. */
const maxResponseBytes = 8 * 1024 * 1024;

const jobId = { type: "string", minLength: 1, description: "The jobId returned by claude_code_start." };
const sessionIdOfJob = {
  type: "string",
  description: "The job's session; accepted for compatibility, the job id alone names the job.",
};

/** Each tool: its model-facing shape and the one request it makes. */
const tools = [
  {
    name: "claude_code_start",
    label: "Claude Code: start",
    description:
      "Start a Claude Code job in the background; returns at once with {jobId, sessionId}. Claude Code " +
      "runs in its own container with its own workspace, so give it a complete, self-contained task. " +
      "Pass session_id (from an earlier job or claude_code_sessions) to continue that conversation. " +
      "Then poll claude_code_status every minute or so (not in a tight loop), or end your turn: a notice " +
      "arrives in this conversation when the job ends. Read the full output with claude_code_output.",
    parameters: {
      type: "object",
      properties: {
        prompt: { type: "string", minLength: 1, description: "The task for Claude Code." },
        session_id: { type: "string", description: "Continue this Claude Code session (optional)." },
      },
      required: ["prompt"],
    },
    toRequest: (params) => ({
      method: "POST",
      path: "/v1/claude-code/jobs",
      body: {
        prompt: params.prompt,
        ...(typeof params.session_id === "string" && params.session_id
          ? { session_id: params.session_id }
          : {}),
      },
    }),
  },
  {
    name: "claude_code_status",
    label: "Claude Code: status",
    description:
      "The state of a Claude Code job: status (pending, running, completed, failed, cancelled), " +
      "elapsedSeconds, outputSize (bytes), tailOutput (the end of the output), lastOutputSecondsAgo, " +
      "activityState (active, processing, idle), metrics, and once it ends exitCode, error and result. " +
      "Use it to poll a job from claude_code_start; a notice also arrives when the job ends.",
    parameters: {
      type: "object",
      properties: { job_id: jobId, session_id: sessionIdOfJob },
      required: ["job_id"],
    },
    toRequest: (params) => ({ method: "GET", path: jobPath(params.job_id) }),
  },
  {
    name: "claude_code_output",
    label: "Claude Code: output",
    description:
      "Read a Claude Code job's output by bytes: from offset (default 0), at most limit bytes (default " +
      "65536). The answer has output, size (the total so far), nextOffset and hasMore: to read it all, " +
      "call again with offset = nextOffset while hasMore is true; to follow a running job, keep the last " +
      "nextOffset and read on from there later.",
    parameters: {
      type: "object",
      properties: {
        job_id: jobId,
        session_id: sessionIdOfJob,
        offset: { type: "integer", minimum: 0, description: "Byte offset to read from (default 0)." },
        limit: { type: "integer", minimum: 1, description: "Most bytes to read (default 65536)." },
      },
      required: ["job_id"],
    },
    toRequest: (params) => {
      const query = new URLSearchParams();
      if (params.offset !== undefined && params.offset !== null) query.set("offset", String(params.offset));
      if (params.limit !== undefined && params.limit !== null) query.set("limit", String(params.limit));
      const search = query.size > 0 ? `?${query}` : "";
      return { method: "GET", path: `${jobPath(params.job_id)}/output${search}` };
    },
  },
  {
    name: "claude_code_cancel",
    label: "Claude Code: cancel",
    description:
      "Cancel a running Claude Code job; its container stops. The session stays, so a later " +
      "claude_code_start with its session_id continues it.",
    parameters: {
      type: "object",
      properties: { job_id: jobId, session_id: sessionIdOfJob },
      required: ["job_id"],
    },
    toRequest: (params) => ({ method: "POST", path: `${jobPath(params.job_id)}/cancel`, body: {} }),
  },
  {
    name: "claude_code_cleanup",
    label: "Claude Code: clean up",
    description:
      "Close idle Claude Code sessions: the one named by session_id, or every idle session of this " +
      "agent when it is left out. A session with a running job is left alone and listed as busy.",
    parameters: {
      type: "object",
      properties: { session_id: { type: "string", description: "Close only this session (optional)." } },
    },
    toRequest: (params) => ({
      method: "POST",
      path: "/v1/claude-code/sessions/cleanup",
      body:
        typeof params.session_id === "string" && params.session_id ? { session_id: params.session_id } : {},
    }),
  },
  {
    name: "claude_code_sessions",
    label: "Claude Code: sessions",
    description:
      "List this agent's Claude Code sessions: sessionId, ageSeconds, lastActivitySecondsAgo, " +
      "messageCount and the active job (jobId, status) if any. Pass a sessionId to claude_code_start " +
      "to continue that session.",
    parameters: { type: "object", properties: {} },
    toRequest: () => ({ method: "GET", path: "/v1/claude-code/sessions" }),
  },
];

function jobPath(id) {
  if (typeof id !== "string" || id === "") throw new TypeError("job_id must be a non-empty string");
  return `/v1/claude-code/jobs/${encodeURIComponent(id)}`;
}

/** A failure the model can act on: the panel's {error, fix}, or why the panel could not be asked. */
class PanelApiError extends Error {
  constructor(message, fix) {
    super(message);
    this.fix = fix;
  }
}

/** One JSON request over the socket; resolves with the parsed answer of a 2xx, else PanelApiError. */
function callPanel(socketPath, { method, path, body }, signal) {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath,
      method,
      path,
      headers: {
        accept: "application/json",
        ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
      },
      signal,
    });
    req.setTimeout(requestTimeoutMs, () => {
      req.destroy(
        new PanelApiError(
          `The panel's agent API did not answer within ${requestTimeoutMs / 1000} s.`,
          "Try again in a minute; if it keeps happening, tell the operator.",
        ),
      );
    });
    req.on("error", (error) => reject(signal?.aborted ? signal.reason : toPanelApiError(error, socketPath)));
    req.on("response", (res) => {
      const chunks = [];
      let size = 0;
      res.on("data", (chunk) => {
        size += chunk.length;
        if (size > maxResponseBytes) {
          req.destroy(new PanelApiError(`The panel's answer is larger than ${maxResponseBytes} bytes.`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (error) =>
        reject(signal?.aborted ? signal.reason : toPanelApiError(error, socketPath)),
      );
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        let answer;
        try {
          answer = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          answer = undefined;
        }
        if (status >= 200 && status < 300 && answer !== undefined) {
          resolve(answer);
          return;
        }
        if (answer && typeof answer === "object" && typeof answer.error === "string") {
          reject(new PanelApiError(answer.error, typeof answer.fix === "string" ? answer.fix : undefined));
          return;
        }
        const what = answer === undefined ? "something other than JSON" : "no error message";
        reject(new PanelApiError(`The panel's agent API answered HTTP ${status} with ${what}.`));
      });
    });
    req.end(payload);
  });
}

function toPanelApiError(error, socketPath) {
  if (error instanceof PanelApiError) return error;
  const code = error?.code;
  if (code === "ENOENT" || code === "ECONNREFUSED") {
    return new PanelApiError(
      `The panel's agent API is not reachable at ${socketPath} (${code}).`,
      "The claw panel may be stopped or restarting: try again in a minute; if it stays unreachable, tell the operator.",
    );
  }
  return new PanelApiError(`The request to the panel's agent API failed: ${error?.message ?? String(error)}`);
}

function textResult(text, details) {
  return { content: [{ type: "text", text }], details };
}

/** The AgentTool OpenClaw registers for one of the tools above. */
function toAgentTool(tool, socketPath) {
  return {
    name: tool.name,
    label: tool.label,
    description: tool.description,
    parameters: tool.parameters,
    async execute(_toolCallId, params, signal) {
      try {
        const result = await callPanel(socketPath, tool.toRequest(params ?? {}), signal);
        // Under a key: OpenClaw grades a call failed from top-level `status` ("failed", "cancelled"),
        // `error` or a non-zero `exitCode` in details, and tells the model so; a job's state is not the
        // call's. A failure of the call itself keeps `error` at the top (below).
        return textResult(JSON.stringify(result, null, 2), { response: result });
      } catch (error) {
        if (signal?.aborted && error === signal.reason) throw error;
        const failure =
          error instanceof PanelApiError ? error : new PanelApiError(error?.message ?? String(error));
        const details =
          failure.fix === undefined
            ? { error: failure.message }
            : { error: failure.message, fix: failure.fix };
        const text = [`${tool.name} failed:`, failure.message, failure.fix].filter(Boolean).join(" ");
        return textResult(text, details);
      }
    },
  };
}

export default {
  id: "claw-claude-code",
  name: "Claude Code (claw)",
  description: "Six tools that run Claude Code jobs through the claw panel's agent API.",
  register(api) {
    const configured = api.pluginConfig?.socketPath;
    const socketPath = typeof configured === "string" && configured !== "" ? configured : defaultSocketPath;
    for (const tool of tools) api.registerTool(toAgentTool(tool, socketPath));
  },
};
