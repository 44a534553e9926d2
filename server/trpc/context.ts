import type { Actor } from "../auth/actor";
import type { PanelServices } from "../panel/panel-services";

export type TrpcContext = PanelServices & { actor: Actor | null };
