// Reading the past: the as-of control's state, a time or a log position, shared by
// every page. While it is set, pages read the tenant as it was
// recorded then and show no command forms (the past cannot be changed).
import { positionOf } from "./api.js";

const STORED = "gongjian.asOf";

/** The declared variables of a tenant query: use in ``query Name(${TENANT_ARGS}, …)``. */
export const TENANT_ARGS = "$tenant: ID!, $wait: Int, $asOf: DateTime, $at: Int";
/** The tenant field with its reading arguments: ``{ ${TENANT_FIELD} { id name … } }``. */
export const TENANT_FIELD = "tenant(id: $tenant, waitForPosition: $wait, asOf: $asOf, atPosition: $at)";

/** What is being read: {asOf: ISO time} or {atPosition: n} or null (the present). */
export function past() {
  const stored = sessionStorage.getItem(STORED);
  return stored ? JSON.parse(stored) : null;
}

/** Read the past at a time (ISO) or a log position; null returns to the present. */
export function setPast(moment) {
  if (moment && (moment.asOf || Number.isInteger(moment.atPosition))) {
    sessionStorage.setItem(STORED, JSON.stringify(moment));
  } else {
    sessionStorage.removeItem(STORED);
  }
}

export const readingPast = () => past() !== null;

/** The variables for TENANT_ARGS: the tenant, the position to wait for (the user's
 * own last write, in the present) and the moment read (in the past). */
export function tenantVariables(tenantId, extra = {}) {
  const moment = past();
  return {
    tenant: tenantId,
    wait: moment ? null : positionOf(tenantId),
    asOf: moment?.asOf ?? null,
    at: moment?.atPosition ?? null,
    ...extra,
  };
}
