import type { HostKey } from "../keys/host-key";
import { type ContainerSpec, compileContainerSpec } from "./compile-container-spec";
import type { HostFacts, ImageRef } from "./compile-inputs";
import { compileOpenclawConfig, type OpenclawConfig } from "./compile-openclaw-config";
import {
  canonicalDigest,
  type DsseEnvelope,
  type LockPayload,
  signLock,
  templateDigest,
} from "./policy-lock";
import type { Template } from "./template-schema";

export type CompiledPolicy = {
  openclawConfig: OpenclawConfig;
  containerSpec: ContainerSpec;
  /** The instructions, written to the workspace's AGENTS.md. */
  agentsMd: string;
};

/** Pure: the same inputs give the same artifacts, byte for byte. */
export function compilePolicy(input: {
  template: Template;
  agent: string;
  image: ImageRef;
  host: HostFacts;
}): CompiledPolicy {
  return {
    openclawConfig: compileOpenclawConfig(input),
    containerSpec: compileContainerSpec(input),
    agentsMd: input.template.openclaw.instructions,
  };
}

export function lockPolicy(input: {
  agent: string;
  templateName: string;
  templateSource: string;
  templateText: string;
  compiled: CompiledPolicy;
  previousLockDigest: string | null;
  hostKey: HostKey;
  now?: Date;
}): { envelope: DsseEnvelope; payload: LockPayload; digest: string } {
  const { containerSpec, openclawConfig } = input.compiled;
  const payload: LockPayload = {
    lockVersion: 1,
    agent: input.agent,
    template: {
      name: input.templateName,
      source: input.templateSource,
      hash: templateDigest(input.templateText),
    },
    image: containerSpec.image,
    artifacts: {
      "openclaw.json": canonicalDigest(openclawConfig),
      "container-spec.json": canonicalDigest(containerSpec),
    },
    network: { profile: containerSpec.network.profile, allow: containerSpec.network.allow },
    lockedAt: (input.now ?? new Date()).toISOString(),
    previousLockDigest: input.previousLockDigest,
    keyId: input.hostKey.keyId,
  };
  const envelope = signLock(payload, input.hostKey);
  return { envelope, payload, digest: canonicalDigest(envelope) };
}
