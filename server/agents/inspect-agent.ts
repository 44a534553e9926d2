import { type LifecycleDeps, loadAgent } from "./agent-lifecycle";

/** The live container's facts for the Overview tab and `claw agents inspect`; secret values left out. */
export async function inspectAgent(deps: LifecycleDeps, name: string) {
  const { agent, spec, container: live } = await loadAgent(deps, name);
  const secret = new Set(spec.secretEnv);
  return {
    agent,
    spec: {
      containerName: spec.containerName,
      image: spec.image,
      user: spec.user,
      network: spec.network,
      resources: spec.resources,
      mounts: spec.mounts,
      tmpfs: spec.tmpfs,
      stopTimeoutSeconds: spec.stopTimeoutSeconds,
    },
    container: live
      ? {
          id: live.Id,
          name: live.Name,
          created: live.Created,
          state: live.State.Status,
          running: live.State.Running,
          pid: live.State.Pid,
          exitCode: live.State.ExitCode,
          oomKilled: live.State.OOMKilled ?? false,
          startedAt: live.State.StartedAt,
          finishedAt: live.State.FinishedAt,
          image: live.ImageName,
          imageId: live.Image,
          hostname: live.Config.Hostname,
          user: live.Config.User,
          env: (live.Config.Env ?? []).map((entry) => {
            const key = entry.slice(0, entry.indexOf("="));
            return secret.has(key) ? `${key}=(secret)` : entry;
          }),
          labels: live.Config.Labels ?? {},
          mounts: live.Mounts.map((mount) => ({
            type: mount.Type,
            source: mount.Source,
            target: mount.Destination,
            rw: mount.RW,
          })),
          security: {
            readOnlyRootfs: live.HostConfig.ReadonlyRootfs,
            capAdd: live.HostConfig.CapAdd ?? [],
            securityOpt: live.HostConfig.SecurityOpt ?? [],
            privileged: live.HostConfig.Privileged,
            usernsMode: live.HostConfig.UsernsMode,
            idMappings: live.HostConfig.IDMappings ?? null,
          },
          limits: {
            memoryBytes: live.HostConfig.Memory,
            memorySwapBytes: live.HostConfig.MemorySwap,
            nanoCpus: live.HostConfig.NanoCpus,
            pidsLimit: live.HostConfig.PidsLimit,
          },
          network: live.HostConfig.NetworkMode,
          ports: Object.keys(live.HostConfig.PortBindings ?? {}),
        }
      : null,
  };
}
