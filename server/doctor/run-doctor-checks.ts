import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import type { ClawPaths } from "../config";
import { hostKeyPath } from "../keys/host-key";
import { gatherHostFacts, type HostFacts } from "../podman/host-workarounds";
import type { PodmanService } from "../podman/podman-service";
import {
  type DoctorCheck,
  type PodmanBinaryFacts,
  verdictCgroups,
  verdictHostWorkaround,
  verdictOciRuntime,
  verdictPodmanBinary,
  verdictPodmanMode,
  verdictPodmanSocket,
  verdictSubIds,
} from "./doctor-verdicts";
import { type FileFacts, verdictClawHome, verdictHostKey, verdictPanelSocket } from "./file-verdicts";
import { parseSubIdFile } from "./parse-subids";

export type { DoctorCheck } from "./doctor-verdicts";

export type RunDoctorChecksInput = {
  paths: Pick<ClawPaths, "home" | "panelSocket" | "keys">;
  podman: Pick<PodmanService, "status">;
  env?: NodeJS.ProcessEnv;
  /** Overrides for tests; default to this process and the real files. */
  hostFacts?: () => Promise<HostFacts>;
  subuidPath?: string;
  subgidPath?: string;
};

const execFileAsync = promisify(execFile);

/**
 * Every check, run in parallel, each with a verdict; a check that throws becomes a "fail"
 * of its own and never stops the others. Order is stable for the UI.
 */
export async function runDoctorChecks(input: RunDoctorChecksInput): Promise<DoctorCheck[]> {
  const env = input.env ?? process.env;
  const uid = process.geteuid?.() ?? 0;
  const userName = safeUserName();
  // Shared by several checks: ask once.
  const status = once(() => input.podman.status());
  const facts = once(input.hostFacts ?? (() => gatherHostFacts()));
  const rootless = async () => (await status()).rootless ?? uid !== 0;

  const checks: Array<[id: string, title: string, run: () => Promise<DoctorCheck>]> = [
    ["podman-binary", "Podman installed", async () => verdictPodmanBinary(await readPodmanBinary(env))],
    ["podman-socket", "Podman API socket", async () => verdictPodmanSocket(await status())],
    ["podman-mode", "Rootless or rootful", async () => verdictPodmanMode(await status(), uid)],
    [
      "cgroups",
      "cgroups",
      async () =>
        verdictCgroups({ layout: (await facts()).cgroupLayout, rootless: await rootless() }, await status()),
    ],
    [
      "oci-runtime",
      "OCI runtime",
      async () => verdictOciRuntime((await facts()).cgroupLayout, await status()),
    ],
    ["host-workaround", "ulimit / runtime workaround", async () => verdictHostWorkaround(await status())],
    [
      "subids",
      "Subordinate UIDs and GIDs",
      async () =>
        verdictSubIds({
          rootless: await rootless(),
          user: { name: userName, uid },
          subuid: parseSubIdFile(await readOptional(input.subuidPath ?? "/etc/subuid")),
          subgid: parseSubIdFile(await readOptional(input.subgidPath ?? "/etc/subgid")),
        }),
    ],
    [
      "claw-home",
      "CLAW_HOME",
      async () => verdictClawHome(await readFileFacts(input.paths.home, uid, userName)),
    ],
    [
      "panel-socket",
      "Panel socket (the CLI's way in)",
      async () => verdictPanelSocket(await readFileFacts(input.paths.panelSocket, uid, userName)),
    ],
    [
      "host-key",
      "Host signing key",
      async () => verdictHostKey(await readFileFacts(hostKeyPath(input.paths.keys), uid, userName)),
    ],
  ];

  return Promise.all(
    checks.map(([id, title, run]) =>
      run().catch(
        (error: unknown): DoctorCheck => ({
          id,
          title,
          status: "fail",
          detail: `The check itself failed: ${error instanceof Error ? error.message : String(error)}`,
          fix: "Run `claw doctor` again; if it repeats, report it with this message.",
        }),
      ),
    ),
  );
}

async function readPodmanBinary(env: NodeJS.ProcessEnv): Promise<PodmanBinaryFacts> {
  const path = await findOnPath("podman", env.PATH ?? "");
  if (!path) return {};
  try {
    const { stdout } = await execFileAsync(path, ["--version"], { timeout: 10_000, env });
    return { path, versionOutput: stdout.trim() };
  } catch (error) {
    return { path, error: error instanceof Error ? error.message : String(error) };
  }
}

async function findOnPath(name: string, pathVariable: string): Promise<string | undefined> {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

async function readFileFacts(path: string, uid: number, userName: string | undefined): Promise<FileFacts> {
  try {
    const info = await stat(path);
    return {
      path,
      exists: true,
      isDirectory: info.isDirectory(),
      mode: info.mode & 0o777,
      ownerUid: info.uid,
      uid,
      userName,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { path, exists: false, uid, userName };
    throw error;
  }
}

/** A missing subuid/subgid file is the same as an empty one. */
async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= make();
    return promise;
  };
}
