// Fetches the pinned Claude Code binary into <repo>/.cache/claude-code when missing. The work is
// done by server/images/install-claude-code.ts.
//
//   node --import tsx scripts/install-claude-code.ts [--cache-dir DIR]
//     → prints { claudeBinary, version, platformPackage, dir } as JSON (progress on stderr)
import { ensureClaudeCode } from "../server/images/install-claude-code";
import { runInstall } from "./run-install";

await runInstall(ensureClaudeCode, "install-claude-code");
