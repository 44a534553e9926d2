import { router } from "../trpc/init";
import { authRouter } from "./auth";
import { doctorRouter } from "./doctor";
import { systemRouter } from "./system";

export const appRouter = router({
  auth: authRouter,
  doctor: doctorRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
