// Talking to the API exactly as integrators do: reads through POST /graphql, writes
// through the REST commands, both with the user's bearer token.
import { has, t } from "./i18n.js";

const TOKEN = "gongjian.token";

/** An answer the API refused: its HTTP status, problem code and detail. */
export class Problem extends Error {
  constructor(status, code, detail) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

// Kept for this browser tab only: closing the tab signs out.
export const token = () => sessionStorage.getItem(TOKEN);
export const setToken = (value) => sessionStorage.setItem(TOKEN, value);
export const clearToken = () => sessionStorage.removeItem(TOKEN);

// The newest log position each tenant's commands reached: reads wait for it, so a
// page re-read after a command shows what the command did.
const written = new Map();
export const positionOf = (tenantId) => written.get(tenantId) ?? null;

let onUnauthenticated = () => {};
/** What to do when the token is refused (the console shows the sign-in page). */
export function whenUnauthenticated(handler) {
  onUnauthenticated = handler;
}

function headers() {
  return { "Content-Type": "application/json", Authorization: `Bearer ${token() || ""}` };
}

async function problemOf(answer) {
  let body = null;
  try {
    body = await answer.json();
  } catch {
    // Not JSON (a proxy's page): the status alone says what happened.
  }
  const problem = new Problem(answer.status, body?.code || `http-${answer.status}`, body?.detail || "");
  if (answer.status === 401) onUnauthenticated(problem);
  return problem;
}

/** Run a GraphQL query; its data, or a Problem (the first error's code and message). */
export async function graphql(query, variables = {}) {
  const answer = await fetch("/graphql", {
    method: "POST", headers: headers(), body: JSON.stringify({ query, variables }),
  });
  if (!answer.ok && answer.headers.get("content-type")?.includes("problem")) {
    throw await problemOf(answer);
  }
  const body = await answer.json().catch(() => null);
  if (body?.errors?.length) {
    const error = body.errors[0];
    throw new Problem(answer.status, error.extensions?.code || "graphql-error", error.message);
  }
  if (!answer.ok || !body) throw new Problem(answer.status, `http-${answer.status}`, "");
  return body.data;
}

/** POST a REST command under /tenants/<tenantId>/; its answer (record_id, version, position). */
export async function command(tenantId, path, body) {
  const answer = await fetch(`/tenants/${encodeURIComponent(tenantId)}/${path}`, {
    method: "POST", headers: headers(), body: JSON.stringify(body),
  });
  if (!answer.ok) throw await problemOf(answer);
  const accepted = await answer.json();
  if (typeof accepted.position === "number") written.set(tenantId, accepted.position);
  return accepted;
}

/** What to tell the user about an error: the catalogue's message for its code,
 * else a generic one naming the code and the server's detail. */
export function problemMessage(error) {
  if (!(error instanceof Problem)) return t("problem.network");
  const key = `problem.${error.code}`;
  if (has(key)) return t(key);
  return t("problem.generic", { code: error.code, detail: error.detail || "" });
}
