import { resolve } from "node:path";
import type { ContainerSpec } from "../policy/compile-container-spec";

/** Rootful agents get their own fixed id range; rootless ones map the agent's uid to the user (keep-id). */
export type IdMapping = { hostBase: number; size: number };

export type RuntimeInputs = {
  /** CLAW_HOME/agents/<name>: the spec's mount sources are relative to it. */
  agentDir: string;
  /** Rootful only (spec.userns.mode "auto"). */
  idMapping?: IdMapping;
  /** Values for spec.secretEnv; a missing one is left unset (OpenClaw reports it as degraded). */
  secretEnv: Record<string, string>;
  /** Labels the runtime adds beside the spec's: the lock in force and which CLAW_HOME owns it. */
  runtimeLabels: Record<string, string>;
};

/** CPU quota over the default 100 ms period. */
export const cpuPeriodMicros = 100_000;

/**
 * Pure: the body of `POST /libpod/containers/create` for a spec. Everything here comes from the
 * locked spec except the id range, the secret values and the runtime labels.
 */
export function libpodCreateBody(spec: ContainerSpec, inputs: RuntimeInputs) {
  const idMappings = (mapping: IdMapping) => [
    { container_id: 0, host_id: mapping.hostBase, size: mapping.size },
  ];
  const userns =
    spec.userns.mode === "keep-id"
      ? { userns: { nsmode: "keep-id" } }
      : {
          userns: { nsmode: "private" },
          idmappings: inputs.idMapping
            ? { UIDMap: idMappings(inputs.idMapping), GIDMap: idMappings(inputs.idMapping) }
            : undefined,
        };
  const secretEnv = Object.fromEntries(
    spec.secretEnv.flatMap((name) =>
      inputs.secretEnv[name] === undefined ? [] : [[name, inputs.secretEnv[name]]],
    ),
  );
  return {
    name: spec.containerName,
    hostname: spec.hostname,
    image: spec.image.ref,
    user: spec.user,
    ...userns,
    cap_drop: spec.capDrop,
    cap_add: spec.capAdd,
    no_new_privileges: spec.noNewPrivileges,
    read_only_filesystem: spec.readOnlyRootfs,
    // An empty profile path is Podman's default seccomp profile.
    seccomp_policy: "default",
    netns: { nsmode: spec.network.mode },
    mounts: [
      ...Object.entries(spec.tmpfs).map(([target, options]) => ({
        destination: target,
        type: "tmpfs",
        source: "tmpfs",
        options: options.split(","),
      })),
      ...spec.mounts.map((mount) => ({
        destination: mount.target,
        type: "bind",
        source: resolve(inputs.agentDir, mount.source),
        // `U` chowns a writable source to the container's range (a no-op once it owns it).
        options: ["rbind", mount.readOnly ? "ro" : "rw", ...(mount.readOnly ? [] : ["U"]), "nosuid", "nodev"],
      })),
    ],
    resource_limits: {
      memory: { limit: spec.resources.memoryBytes, swap: spec.resources.memorySwapBytes },
      cpu: { quota: Math.round((spec.resources.nanoCpus / 1e9) * cpuPeriodMicros), period: cpuPeriodMicros },
      pids: { limit: spec.resources.pidsLimit },
    },
    env: { ...spec.env, ...secretEnv },
    labels: { ...spec.labels, ...inputs.runtimeLabels },
    stop_timeout: spec.stopTimeoutSeconds,
    // The image's entrypoint (tini → claw-agent-init) starts the Gateway.
    terminal: false,
    stdin: false,
  };
}
