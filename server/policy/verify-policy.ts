import { canonicalDigest, openLock, templateDigest } from "./policy-lock";

export const policyStates = [
  "ok",
  "unlocked",
  "bad_signature",
  "template_drift",
  "artifact_tamper",
  "image_drift",
] as const;
export type PolicyState = (typeof policyStates)[number];

export type PolicyFinding = {
  state: Exclude<PolicyState, "ok">;
  message: string;
  expected?: string;
  actual?: string;
};

export type PolicyVerdict = {
  state: PolicyState;
  findings: PolicyFinding[];
  lockedAt?: string;
  lockDigest?: string;
};

/** What is on disk in the agent's directory, as text (undefined where a file is missing). */
export type AgentFiles = {
  lock?: string;
  templateSnapshot?: string;
  openclawJson?: string;
  containerSpecJson?: string;
};

function digestOfJsonText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return canonicalDigest(JSON.parse(text));
  } catch {
    return "unreadable";
  }
}

/**
 * Verifies an agent's policy from its files. The state is the first problem in this order:
 * unlocked, bad_signature, template_drift, artifact_tamper, image_drift; every finding is listed.
 * `currentImageDigest` is what Podman has now (omitted when the image is not built yet);
 * `sourceTemplate` is the template's text where it came from (built-in or user file) now.
 */
export function verifyPolicy(input: {
  agent: string;
  files: AgentFiles;
  publicKey: Uint8Array;
  currentImageDigest?: string;
  sourceTemplate?: string;
}): PolicyVerdict {
  const { files } = input;
  if (files.lock === undefined) {
    return { state: "unlocked", findings: [{ state: "unlocked", message: "there is no policy.lock.json" }] };
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(files.lock);
  } catch {
    return {
      state: "bad_signature",
      findings: [{ state: "bad_signature", message: "policy.lock.json is not JSON" }],
    };
  }
  const opened = openLock(envelope, input.publicKey);
  if (!opened.ok)
    return { state: "bad_signature", findings: [{ state: "bad_signature", message: opened.reason }] };
  const { payload } = opened;
  const lockDigest = canonicalDigest(envelope);
  if (payload.agent !== input.agent) {
    return {
      state: "bad_signature",
      lockDigest,
      findings: [
        {
          state: "bad_signature",
          message: `the lock was signed for agent "${payload.agent}", not "${input.agent}"`,
        },
      ],
    };
  }

  const findings: PolicyFinding[] = [];
  const snapshot =
    files.templateSnapshot === undefined ? undefined : safeTemplateDigest(files.templateSnapshot);
  if (snapshot !== payload.template.hash) {
    findings.push({
      state: "template_drift",
      message:
        snapshot === undefined ? "template.yaml is missing" : "template.yaml was changed after the lock",
      expected: payload.template.hash,
      actual: snapshot,
    });
  } else if (
    input.sourceTemplate !== undefined &&
    safeTemplateDigest(input.sourceTemplate) !== payload.template.hash
  ) {
    findings.push({
      state: "template_drift",
      message: `template "${payload.template.name}" (${payload.template.source}) has changed since the lock; re-lock to adopt it`,
      expected: payload.template.hash,
      actual: safeTemplateDigest(input.sourceTemplate),
    });
  }
  for (const [file, text] of [
    ["openclaw.json", files.openclawJson],
    ["container-spec.json", files.containerSpecJson],
  ] as const) {
    const actual = digestOfJsonText(text);
    if (actual !== payload.artifacts[file]) {
      findings.push({
        state: "artifact_tamper",
        message: actual === undefined ? `${file} is missing` : `${file} was changed after the lock`,
        expected: payload.artifacts[file],
        actual,
      });
    }
  }
  const specImage = specImageDigest(files.containerSpecJson);
  if (specImage !== undefined && specImage !== payload.image.digest) {
    findings.push({
      state: "artifact_tamper",
      message: "container-spec.json names another image than the lock",
      expected: payload.image.digest,
      actual: specImage,
    });
  }
  if (input.currentImageDigest !== undefined && input.currentImageDigest !== payload.image.digest) {
    findings.push({
      state: "image_drift",
      message: `image ${payload.image.ref} is now ${input.currentImageDigest}, the lock has ${payload.image.digest}; re-lock to adopt it`,
      expected: payload.image.digest,
      actual: input.currentImageDigest,
    });
  }
  const order: PolicyFinding["state"][] = ["template_drift", "artifact_tamper", "image_drift"];
  const first = order.find((state) => findings.some((finding) => finding.state === state));
  return { state: first ?? "ok", findings, lockedAt: payload.lockedAt, lockDigest };
}

function safeTemplateDigest(text: string): string | undefined {
  try {
    return templateDigest(text);
  } catch {
    return "unreadable";
  }
}

function specImageDigest(text: string | undefined): string | undefined {
  try {
    return text === undefined
      ? undefined
      : (JSON.parse(text) as { image?: { digest?: string } }).image?.digest;
  } catch {
    return undefined;
  }
}
