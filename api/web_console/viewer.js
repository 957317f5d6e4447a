// What the signed-in principal may do in a tenant, from GraphQL's `viewer`: the
// console offers only the command forms its role may send there (the API still
// judges row-level rules: a liaison's commands are for its own unit only).
import { graphql } from "./api.js";

const QUERY = `query Viewer($tenant: ID!) { viewer { role binding seesPersonalData
  commands(tenant: $tenant) { name path bound } } }`;

let known = { tenant: null, viewer: null, routes: [] };

/** A route template ("/meetings/{meeting_id}/notice") as a pattern over paths. */
function pattern(template) {
  const parts = template.replace(/^\//, "").split("/")
    .map((part) => (/^\{\w+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("/")}$`);
}

/** Read (once per tenant) who the viewer is and which commands it may send there. */
export async function loadViewer(tenantId) {
  if (known.tenant === tenantId) return known.viewer;
  const data = await graphql(QUERY, { tenant: tenantId });
  const routes = (data.viewer?.commands || []).map((c) => pattern(c.path));
  known = { tenant: tenantId, viewer: data.viewer, routes };
  return known.viewer;
}

/** Forget the viewer (on signing out, another token may sign in). */
export function forgetViewer() {
  known = { tenant: null, viewer: null, routes: [] };
}

/** The viewer of ``tenantId`` as last read (null: not read yet). */
export function viewer(tenantId) {
  return known.tenant === tenantId ? known.viewer : null;
}

/** Whether the viewer may POST ``path`` (under /tenants/<tenantId>/); true while the
 * viewer is unknown, so the API alone judges then. */
export function mayPost(tenantId, path) {
  if (known.tenant !== tenantId || path === null) return true;
  return known.routes.some((route) => route.test(path.replace(/^\//, "").split("?")[0]));
}
