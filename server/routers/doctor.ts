import { runDoctorChecks } from "../doctor/run-doctor-checks";
import { protectedProcedure, router } from "../trpc/init";

export const doctorRouter = router({
  /** Every host check with a verdict and, where one fails, how to fix it. */
  run: protectedProcedure.query(({ ctx }) => runDoctorChecks({ paths: ctx.paths, podman: ctx.podman })),
});
