/** Names the CLAW_HOME a container belongs to: several panels (tests) may share one Podman. */
export const homeLabel = "claw.home";

/** The parts of libpod's container inspect the runtime and the conformance check read. */
export type LibpodInspect = {
  Id: string;
  Name: string;
  Created: string;
  State: {
    Status: string;
    Running: boolean;
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    OOMKilled?: boolean;
    Error?: string;
  };
  Config: {
    Hostname: string;
    User: string;
    Env: string[] | null;
    Labels: Record<string, string> | null;
    StopTimeout: number;
    Image?: string;
  };
  Image: string;
  ImageName: string;
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean; Options?: string[] }[];
  HostConfig: {
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    ReadonlyRootfs: boolean;
    NetworkMode: string;
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    CpuQuota: number;
    CpuPeriod: number;
    PidsLimit: number;
    Privileged: boolean;
    UsernsMode: string;
    IDMappings?: { UidMap?: string[]; GidMap?: string[] };
    Tmpfs: Record<string, string> | null;
    PortBindings: Record<string, unknown> | null;
  };
  NetworkSettings?: { Ports?: Record<string, unknown> | null };
};

export type ContainerSummary = {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string> | null;
  StartedAt: number;
  ExitCode: number;
  Exited: boolean;
  Created: string | number;
};

export type ContainerUsage = { cpuPercent: number; memoryBytes: number; memoryLimitBytes: number };
