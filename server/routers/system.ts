import { getPanelStatus } from "../panel/get-panel-status";
import { protectedProcedure, router } from "../trpc/init";

export const systemRouter = router({
  /** Panel and Podman at a glance: the home page and `claw status`. */
  status: protectedProcedure.query(({ ctx }) => getPanelStatus(ctx)),
});
