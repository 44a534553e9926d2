/**
 * A user template (CLAW_HOME/templates/NAME.yaml) for an agent whose network is what a test or
 * bench sets: `network` is the YAML under `container.network`, indented by four spaces.
 */
export function networkTemplate(name: string, network: string, options: { cpus: number }) {
  return `apiVersion: claw/v1
kind: AgentTemplate
metadata:
  name: ${name}
  description: network under test
openclaw:
  identity:
    name: Egress
  model:
    provider: anthropic
    id: claude-sonnet-4-6
  tools:
    profile: coding
    allow: [read]
    deny: [exec]
container:
  network:
${network}
  resources:
    memory: 1536m
    cpus: ${options.cpus}
    pids: 256
  mounts:
    workspace: rw
`;
}
