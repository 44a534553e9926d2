import { router } from "../trpc/init";
import { accessRouter } from "./access";
import { agentsRouter } from "./agents";
import { approvalsRouter } from "./approvals";
import { auditRouter } from "./audit";
import { authRouter } from "./auth";
import { doctorRouter } from "./doctor";
import { imagesRouter } from "./images";
import { jobsRouter } from "./jobs";
import { secretsRouter } from "./secrets";
import { systemRouter } from "./system";
import { templatesRouter } from "./templates";
import { terminalRouter } from "./terminal";

export const appRouter = router({
  access: accessRouter,
  agents: agentsRouter,
  approvals: approvalsRouter,
  audit: auditRouter,
  auth: authRouter,
  doctor: doctorRouter,
  images: imagesRouter,
  jobs: jobsRouter,
  secrets: secretsRouter,
  system: systemRouter,
  templates: templatesRouter,
  terminal: terminalRouter,
});

export type AppRouter = typeof appRouter;
