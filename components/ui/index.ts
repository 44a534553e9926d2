/** The panel's UI kit: what every feature folder builds its views from. */
export type { ActionError } from "./action-error";
export { fixOf, readableError } from "./action-error";
export { Badge, type Tone } from "./badge";
export { Card } from "./card";
export { Checkbox } from "./checkbox";
export {
  buttonClass,
  cellClass,
  dangerButtonClass,
  fieldClass,
  helpClass,
  linkClass,
  narrowFieldClass,
  primaryButtonClass,
  smallButtonClass,
  smallDangerButtonClass,
  smallPrimaryButtonClass,
} from "./classes";
export { ConfirmDialog, type ConfirmStep } from "./confirm-dialog";
export { type Column, DataTable } from "./data-table";
export { ErrorAlert } from "./error-alert";
export { Facts } from "./facts";
export { Field, helpIdOf } from "./field";
export { Fix } from "./fix";
export { JumpToLatestButton } from "./jump-to-latest-button";
export { type QueryLike, QueryState } from "./query-state";
export { Skeleton } from "./skeleton";
export { StatusMessage } from "./status-message";
export { tabKeyTarget } from "./tab-key-target";
export { useNow } from "./use-now";
