// Pure: what a model route is (compiled into an agent's container spec and signed with it), and how
// the gateway turns a request from a container into one to the real provider.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

export const modelProviders = ["anthropic", "openai"] as const;
export type ModelProvider = (typeof modelProviders)[number];

export type ModelBudget = { tokensPerDay: number | null; requestsPerMinute: number | null };

/** Which provider and model an agent (or job) may use, where the panel sends it, and with which secret. */
export type ModelRoute = {
  provider: ModelProvider;
  /** The one model it may ask for; null: any (Claude Code jobs pick their own). */
  model: string | null;
  /**
   * Where the panel forwards. Anthropic: the API's root (`https://api.anthropic.com`); OpenAI-compatible:
   * the root *with* its version (`https://openrouter.ai/api/v1`, `http://127.0.0.1:11434/v1`), as
   * each provider's own clients expect.
   */
  upstream: string;
  /** The secret holding the credential; null for a server that needs none (a local Ollama). */
  secret: string | null;
  budget: ModelBudget;
};

/** Where the gateway is reached inside a container, and its socket's dir relative to the agent's or session's. */
export const modelGatewayListen = "127.0.0.1:3129";
export const modelSocketDir = "run/model";
export const modelSocketName = "model.sock";
/** Clients need some key to start; this one is not a secret and the gateway throws it away. */
export const modelPlaceholderKey = "claw-model-gateway";

export const providerDefaults: Record<ModelProvider, { upstream: string; secret: string; label: string }> = {
  anthropic: { upstream: "https://api.anthropic.com", secret: "anthropic-api-key", label: "Anthropic" },
  openai: { upstream: "https://api.openai.com/v1", secret: "openai-api-key", label: "OpenAI-compatible" },
};

/** The base URL a client inside the container is given (OpenAI clients expect the version in it). */
export function inContainerBaseUrl(provider: ModelProvider): string {
  return provider === "anthropic" ? `http://${modelGatewayListen}` : `http://${modelGatewayListen}/v1`;
}

/** Pure: whether the upstream is a server on this machine's loopback (Ollama, LiteLLM, a test fake). */
export function isHostLoopback(upstream: string): boolean {
  const host = new URL(upstream).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Pure: the upstream path for a request path, or undefined unless it is a plain `/v1/…` path. */
export function upstreamPath(
  rawUrl: string,
  route: Pick<ModelRoute, "provider" | "upstream">,
): { path: string; pathname: string } | undefined {
  if (!rawUrl.startsWith("/v1/")) return undefined;
  const [rawPath = "", ...query] = rawUrl.split("?");
  let parsed: URL;
  try {
    parsed = new URL(rawUrl, "http://model.invalid");
  } catch {
    return undefined;
  }
  // `..`, `%2e%2e`, `//` or a backslash would let the upstream resolve to a path outside /v1/.
  if (parsed.pathname !== rawPath || rawPath.includes("//") || rawPath.includes("\\")) return undefined;
  const base = new URL(route.upstream).pathname.replace(/\/+$/, "");
  const rest = route.provider === "anthropic" ? rawPath : rawPath.slice("/v1".length);
  const search = query.length > 0 ? `?${query.join("?")}` : "";
  return { path: `${base}${rest}${search}`, pathname: rawPath };
}

/** Headers the container may not choose: its own credentials, the target, and hop-by-hop ones. */
const droppedHeaders = new Set([
  "x-api-key",
  "authorization",
  "host",
  "cookie",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "transfer-encoding",
  "content-length",
]);

/** An Anthropic OAuth token (from `claude setup-token`): sent as a bearer token, with the OAuth beta. */
export const isAnthropicOauthToken = (value: string) => value.startsWith("sk-ant-oat");

/** Pure: the request's headers as they go upstream, with the real credential (if the route has one). */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  host: string,
  provider: ModelProvider,
  credential: string | undefined,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || droppedHeaders.has(name) || name.startsWith("proxy-")) continue;
    out[name] = value;
  }
  out.host = host;
  if (credential === undefined) return out;
  if (provider === "openai") return { ...out, authorization: `Bearer ${credential}` };
  if (!isAnthropicOauthToken(credential)) return { ...out, "x-api-key": credential };
  const beta = [out["anthropic-beta"]].flat().filter(Boolean).join(",");
  return {
    ...out,
    authorization: `Bearer ${credential}`,
    "anthropic-beta": beta.includes("oauth-2025-04-20")
      ? beta
      : [beta, "oauth-2025-04-20"].filter(Boolean).join(","),
  };
}

/** Pure: an error body in the provider's own shape, so the client shows the message as the model's error. */
export function providerError(provider: ModelProvider, status: number, message: string): string {
  if (provider === "openai")
    return JSON.stringify({
      error: { message, type: status === 429 ? "rate_limit_exceeded" : "claw_model_gateway" },
    });
  const type =
    status === 400
      ? "invalid_request_error"
      : status === 429
        ? "rate_limit_error"
        : status === 403
          ? "permission_error"
          : status === 401
            ? "authentication_error"
            : "api_error";
  return JSON.stringify({ type: "error", error: { type, message } });
}

/** Pure: a one-line account of the route, for the explanation and the agent page. */
export function describeRoute(route: ModelRoute): string {
  const where = isHostLoopback(route.upstream)
    ? `the model server on this machine at ${new URL(route.upstream).host}`
    : new URL(route.upstream).host;
  const model = route.model
    ? `${route.provider}/${route.model}`
    : `any ${providerDefaults[route.provider].label} model`;
  return `${model} at ${where}`;
}

/**
 * Pure: a refusal told as the model's own answer, so the person chatting with an agent reads it in
 * the Control UI (OpenClaw shows a provider's error only as a generic category). In the shape the
 * client asked for: a stream of server-sent events or one JSON message.
 */
export function refusalAsAnswer(
  provider: ModelProvider,
  stream: boolean,
  text: string,
): { contentType: string; body: string } {
  const id = `msg_claw_${Date.now().toString(36)}`;
  const model = "claw-model-gateway";
  const events = (list: [string | null, unknown][]) =>
    list
      .map(([event, data]) => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`)
      .join("");
  if (provider === "openai") {
    const choice = { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" };
    const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    if (!stream)
      return {
        contentType: "application/json",
        body: JSON.stringify({ id, object: "chat.completion", created: 0, model, choices: [choice], usage }),
      };
    const chunk = (delta: unknown, finish: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created: 0,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    return {
      contentType: "text/event-stream",
      body: `${events([
        [null, chunk({ role: "assistant", content: text }, null)],
        [null, { ...chunk({}, "stop"), usage }],
      ])}data: [DONE]\n\n`,
    };
  }
  const usage = { input_tokens: 0, output_tokens: 0 };
  const message = { id, type: "message", role: "assistant", model, stop_sequence: null, usage };
  if (!stream)
    return {
      contentType: "application/json",
      body: JSON.stringify({ ...message, content: [{ type: "text", text }], stop_reason: "end_turn" }),
    };
  return {
    contentType: "text/event-stream",
    body: events([
      ["message_start", { type: "message_start", message: { ...message, content: [], stop_reason: null } }],
      [
        "content_block_start",
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      ],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      [
        "message_delta",
        { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage },
      ],
      ["message_stop", { type: "message_stop" }],
    ]),
  };
}
