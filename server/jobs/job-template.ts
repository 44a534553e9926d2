import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { AppError } from "../errors";
import { byteSize, dnsLabel, egressModes, egressRule, networkProfiles } from "../policy/template-schema";

/**
 * A job template: the network, resources and limits of Claude Code jobs. `default` is built in;
 * `CLAW_HOME/templates/jobs/NAME.yaml` adds or overrides one by name.
 */
export const jobTemplateSchema = z.strictObject({
  apiVersion: z.literal("claw/v1"),
  kind: z.literal("JobTemplate"),
  metadata: z.strictObject({ name: dnsLabel, description: z.string().min(1).max(300) }),
  /**
   * `restricted`/`devops` reach `allow` only, through the egress proxy; the model is reached through
   * the panel's model gateway whatever the profile, so its host needs no rule here.
   */
  network: z
    .strictObject({
      profile: z.enum(networkProfiles).default("restricted"),
      allow: z.array(egressRule).default([]),
      /** What the proxy does with a host off the list: deny it, ask a person, or learn (let it through). */
      mode: z.enum(egressModes).default("deny"),
      askTimeoutSeconds: z.number().int().min(5).max(600).default(60),
    })
    .default({ profile: "restricted", allow: [], mode: "deny", askTimeoutSeconds: 60 }),
  resources: z
    .strictObject({
      memory: byteSize.default(2 * 1024 ** 3),
      cpus: z.number().positive().max(64).default(2),
      pids: z.number().int().min(32).max(65_536).default(512),
    })
    .default({ memory: 2 * 1024 ** 3, cpus: 2, pids: 512 }),
  limits: z
    .strictObject({
      /** From container start to Claude Code's first line (system/init). */
      startupTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
      /** Without any output line. */
      idleTimeoutSeconds: z.number().int().min(5).max(86_400).default(600),
      maxDurationSeconds: z
        .number()
        .int()
        .min(10)
        .max(7 * 86_400)
        .default(3600),
      /**
       * Of stream-json on stdout; 0 is no limit, as in the original plugin (the job's duration still
       * bounds it). At most 256 MiB otherwise: the panel reads a job's events file whole.
       */
      maxOutputBytes: z
        .union([
          z.literal(0),
          z
            .number()
            .int()
            .min(1024)
            .max(256 * 1024 ** 2),
        ])
        .default(50 * 1024 ** 2),
    })
    .default({
      startupTimeoutSeconds: 120,
      idleTimeoutSeconds: 600,
      maxDurationSeconds: 3600,
      maxOutputBytes: 50 * 1024 ** 2,
    }),
  /** Extra environment for Claude Code (e.g. CLAUDE_CODE_MAX_RETRIES). */
  env: z
    .record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "environment names are UPPER_SNAKE_CASE"),
      z.string().max(4096),
    )
    .default({}),
  /** Passed as `--model` when set. */
  model: z.string().min(1).max(100).optional(),
});
export type JobTemplate = z.infer<typeof jobTemplateSchema>;

export const defaultJobTemplate: JobTemplate = jobTemplateSchema.parse({
  apiVersion: "claw/v1",
  kind: "JobTemplate",
  metadata: { name: "default", description: "Claude Code with only the model API reachable" },
});

export function jobTemplatesDir(templatesDir: string): string {
  return join(templatesDir, "jobs");
}

/** The named template: the user's file if there is one, else the built-in `default`. */
export async function getJobTemplateOrThrow(templatesDir: string, name: string): Promise<JobTemplate> {
  if (!dnsLabel.safeParse(name).success)
    throw new AppError("BAD_REQUEST", `"${name}" is not a template name`);
  const path = join(jobTemplatesDir(templatesDir), `${name}.yaml`);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) {
    if (name === "default") return defaultJobTemplate;
    throw new AppError("NOT_FOUND", `No job template named "${name}"`, {
      fix: `Write ${path}, or leave the template out for "default".`,
    });
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new AppError("BAD_REQUEST", `${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = jobTemplateSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`,
    );
    throw new AppError("BAD_REQUEST", `${path} has errors: ${problems.join("; ")}`);
  }
  if (parsed.data.metadata.name !== name)
    throw new AppError(
      "BAD_REQUEST",
      `${path} names itself "${parsed.data.metadata.name}"; rename one to match`,
    );
  return parsed.data;
}

/**
 * The template a job runs with: an agent's job takes its network from the agent's signed policy
 * (stored on the job when it was queued), not from the job template.
 */
export function withJobNetwork(template: JobTemplate, network: string | null): JobTemplate {
  if (!network) return template;
  const parsed = jobTemplateSchema.shape.network.parse(JSON.parse(network));
  return { ...template, network: parsed };
}
