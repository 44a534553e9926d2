import { checkAgentFolders } from "../doctor/agent-folder-checks";
import { checkAgentLocks, checkTemplates, verdictAgentWorkspaces } from "../doctor/policy-checks";
import { runDoctorChecks } from "../doctor/run-doctor-checks";
import { protectedProcedure, router } from "../trpc/init";

export const doctorRouter = router({
  /** Every host check with a verdict and, where one fails, how to fix it. */
  run: protectedProcedure.query(async ({ ctx }) => [
    ...(await runDoctorChecks({ paths: ctx.paths, podman: ctx.podman })),
    await checkTemplates(ctx.paths.templates),
    await checkAgentFolders(ctx.db, ctx.paths.agents),
    await checkAgentLocks(ctx.db, ctx.agents.verify),
    verdictAgentWorkspaces(await ctx.agents.workspaceAccess()),
  ]),
});
