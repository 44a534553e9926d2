// Installs the pinned OpenClaw and its Node 24 into <repo>/.cache/openclaw when missing; setup runs
// it for `npm test`. The work is done by server/images/install-openclaw.ts.
//
//   node --import tsx scripts/install-openclaw.ts [--cache-dir DIR]
//     → prints { nodeBinary, openclawBin, version, nodeVersion, dir } as JSON (progress on stderr)
import { ensureOpenClaw } from "../server/images/install-openclaw";
import { runInstall } from "./run-install";

await runInstall(ensureOpenClaw, "install-openclaw");
