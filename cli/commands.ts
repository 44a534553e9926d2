// The table of every command, by the words that call it: main.ts reads it, and no command module
// imports it back (what commands share is in command.ts).
import { accessCommands } from "./access-commands";
import { agentCommands } from "./agent-commands";
import { approvalCommands } from "./approval-commands";
import { auditCommands } from "./audit-commands";
import type { Command } from "./command";
import { imageCommands } from "./image-commands";
import { jobCommands } from "./job-commands";
import { policyCommands } from "./policy-commands";
import { secretCommands } from "./secret-commands";
import { systemCommands } from "./system-commands";

export const commands: Record<string, Command> = {
  ...systemCommands,
  ...auditCommands,
  ...policyCommands,
  ...agentCommands,
  ...imageCommands,
  ...jobCommands,
  ...accessCommands,
  ...approvalCommands,
  ...secretCommands,
};
