import { router } from "../trpc/init";
import { auditRouter } from "./audit";
import { authRouter } from "./auth";
import { doctorRouter } from "./doctor";
import { systemRouter } from "./system";

export const appRouter = router({
  audit: auditRouter,
  auth: authRouter,
  doctor: doctorRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
