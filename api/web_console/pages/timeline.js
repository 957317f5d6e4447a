// The auditor's timeline: the tenant's verification status (its signed checkpoints,
// checked here in the browser against the published key), then its events, newest
// first: who recorded each, when, when it happened, why, and what it changed, field
// by field. Each links to its record's history and can set the as-of control to
// just after it.
import { Problem, graphql, problemMessage, token } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { readAtButton } from "../as_of_control.js";
import { h, replace, uid } from "../dom.js";
import { label, t, when } from "../i18n.js";
import { consistencyHolds, inclusionHolds, signatureHolds } from "../verify.js";

const PAGE = 20;
export const EVENT_FIELDS = `position recordType recordId type recordedAt occurredAt actor { userId role unitId } reason
  changes { table recordId kind fields { field before after } }`;

const QUERY = `query Timeline(${TENANT_ARGS}, $before: String) {
  ${TENANT_FIELD} { id name headPosition asOfPosition
    projection { position head parked parkedAtPosition }
    checkpoints(first: 2) { totalCount nodes { size headHash root takenAt keyId signature signedMessage } }
    units(first: 100) { nodes { id name } }
    events(last: ${PAGE}, before: $before) { totalCount pageInfo { hasPreviousPage startCursor }
      nodes { ${EVENT_FIELDS} proof { leafIndex treeSize leafHash path } } } }
}`;

const CONSISTENCY = `query Consistency(${TENANT_ARGS}, $from: Int!, $to: Int!) {
  ${TENANT_FIELD} { consistency(from: $from, to: $to) { fromSize toSize fromRoot toRoot proof } }
}`;

export const historyHref = (tenantId, recordId) =>
  `#/tenants/${encodeURIComponent(tenantId)}/history/${encodeURIComponent(recordId)}`;

/** A value a change shows: text as it is, nothing as a dash, the rest as JSON. */
function shown(value) {
  if (value === null || value === undefined) return t("common.none");
  return typeof value === "string" ? value : JSON.stringify(value);
}

const VERDICTS = new Map([[true, ["audit.holds", "ok"]], [false, ["audit.fails", "bad"]], [null, ["audit.unchecked", "unknown"]]]);

/** A check's outcome in words and a sign, never by colour alone (undefined: still checking). */
function verdict(holds) {
  const [key, kind] = VERDICTS.get(holds) || ["audit.checking", "unknown"];
  return h("strong", { class: `verdict ${kind}`, "data-verdict": kind }, t(key));
}

function actorText(actor, units) {
  const unit = actor.unitId ? units.get(actor.unitId) || actor.unitId : null;
  return t(unit ? "audit.actorUnit" : "audit.actorText", { user: actor.userId, role: label("auditRole", actor.role), unit });
}

function changeTable(tenantId, change) {
  const kind = label("auditKind", change.kind);
  return h("table", { class: "changes" },
    h("caption", {}, t("audit.changeCaption", { table: label("auditTable", change.table), kind }), " ",
      h("a", { href: historyHref(tenantId, change.recordId) }, t("audit.recordLink", { id: change.recordId }))),
    h("thead", {}, h("tr", {}, ["audit.field", "audit.before", "audit.after"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, change.fields.length
      ? change.fields.map((f) => h("tr", {}, h("th", { scope: "row" }, label("auditField", f.field)), h("td", {}, shown(f.before)), h("td", {}, shown(f.after))))
      : h("tr", {}, h("td", { colspan: 3 }, t("audit.noFields")))));
}

/** What an event changed: the first record's fields shown, the others (an attendance
 * row per unit, say) one click away, so the timeline stays readable. */
function changeTables(tenantId, changes) {
  const [first, ...others] = changes;
  if (!first) return h("p", { class: "meta" }, t("audit.noChange"));
  return [changeTable(tenantId, first), others.length > 0 && h("details", { class: "more-changes" },
    h("summary", {}, t("audit.moreChanges", { count: others.length })), others.map((change) => changeTable(tenantId, change)))];
}

/** One event as the auditor reads it: a heading, who/when/why, what changed. */
export function eventEntry(tenantId, event, units, proofNote = null) {
  const heading = uid("ev");
  const what = `${label("auditRecord", event.recordType)} · ${label("auditEvent", `${event.recordType}.${event.type}`)}`;
  const rows = [
    ["audit.actor", actorText(event.actor, units)],
    ["audit.recordedAt", when(event.recordedAt)],
    ["audit.occurredAt", event.occurredAt ? when(event.occurredAt) : t("audit.sameAsRecorded")],
    ["audit.reason", event.reason || t("common.none")],
  ];
  return h("li", { class: "event", "data-position": event.position },
    h("article", { "aria-labelledby": heading },
      h("h3", { id: heading }, t("audit.entryTitle", { position: event.position, what })),
      h("dl", { class: "facts" }, rows.map(([key, text]) => [h("dt", {}, t(key)), h("dd", { "data-fact": key.split(".")[1] }, text)]),
        proofNote && [h("dt", {}, t("audit.proof")), h("dd", { "data-fact": "proof" }, proofNote)]),
      changeTables(tenantId, event.changes),
      h("p", { class: "entry-actions" },
        h("a", { href: historyHref(tenantId, event.recordId) }, t("audit.historyOf", { record: label("auditRecord", event.recordType) })),
        event.recordType === "Meeting" && [" · ", h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/meetings/${encodeURIComponent(event.recordId)}` }, t("audit.openMeeting"))],
        " · ", readAtButton(event.position))));
}

/** The proof line of an event: covered by which checkpoint, and does it check out. */
function proofNote(event, newest) {
  if (!event.proof || !newest) return h("span", {}, t("audit.notCovered"));
  const note = h("span", {}, t("audit.inCheckpoint", { size: event.proof.treeSize }), " ", verdict());
  inclusionHolds(event.proof, newest.root).catch(() => null).then((holds) => note.lastChild.replaceWith(verdict(holds)));
  return note;
}

/** The tenant's export file (its log, checkpoints and keys), saved for an offline
 * check with `gongjian verify-export`; auditors and street admins may export. */
function exportButton(tenantId) {
  const alert = h("p", { role: "alert", class: "problem" });
  const button = h("button", {
    type: "button",
    onclick: async () => {
      alert.textContent = "";
      button.disabled = true;
      try {
        const answer = await fetch(`/tenants/${encodeURIComponent(tenantId)}/export`, { headers: { Authorization: `Bearer ${token()}` } });
        if (!answer.ok) {
          const body = await answer.json().catch(() => ({}));
          throw new Problem(answer.status, body.code || `http-${answer.status}`, body.detail || "");
        }
        const link = h("a", { href: URL.createObjectURL(await answer.blob()), download: `${tenantId}.gongjian-export` });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      } catch (error) {
        alert.textContent = problemMessage(error);
      } finally {
        button.disabled = false;
      }
    },
  }, t("audit.export"));
  return h("div", { class: "export" }, button, alert);
}

function verification(tenant) {
  const [newest, previous] = tenant.checkpoints.nodes;
  const head = tenant.asOfPosition ?? tenant.headPosition;
  const items = [];
  const status = h("p", { class: "lead", "data-verification": "summary" });
  if (!newest) {
    status.textContent = t("audit.noCheckpoint");
  } else {
    const unsigned = head - newest.size;
    status.textContent = unsigned > 0 ? t("audit.unsigned", { count: unsigned, size: newest.size }) : t("audit.allSigned", { size: newest.size });
    const signature = h("li", { "data-check": "signature" }, t("audit.signature", { size: newest.size, key: newest.keyId, at: when(newest.takenAt) }), " ", verdict());
    // The published keys unreadable: not checked (null), which is not "holds".
    signatureHolds(newest, tenant.id).catch(() => null).then((holds) => signature.lastChild.replaceWith(verdict(holds)));
    items.push(signature);
    if (previous) {
      const extends_ = h("li", { "data-check": "consistency" }, t("audit.consistency", { from: previous.size, to: newest.size }), " ", verdict());
      graphql(CONSISTENCY, tenantVariables(tenant.id, { from: previous.size, to: newest.size }))
        .then((data) => consistencyHolds(data.tenant.consistency))
        .then((holds) => extends_.lastChild.replaceWith(verdict(holds)), () => extends_.lastChild.replaceWith(verdict(null)));
      items.push(extends_);
    }
  }
  const facts = newest ? [
    ["audit.chainHead", newest.headHash], ["audit.merkleRoot", newest.root],
  ] : [];
  return h("section", { "aria-labelledby": "verification-title", class: "card verification" },
    h("h2", { id: "verification-title" }, t("audit.verification")),
    status,
    h("p", {}, t("audit.logState", { head, checkpoints: tenant.checkpoints.totalCount })),
    tenant.projection.parked && h("p", { role: "alert", class: "problem" }, t("audit.parked", { position: tenant.projection.parkedAtPosition })),
    items.length > 0 && h("ul", { class: "checks" }, items),
    facts.length > 0 && h("dl", { class: "facts hashes" }, facts.map(([key, text]) => [h("dt", {}, t(key)), h("dd", {}, h("code", {}, text))])),
    h("p", { class: "hint" }, t("audit.chainExplain")),
    exportButton(tenant.id));
}

export async function timelinePage(main, [tenantId], before = null) {
  const data = await graphql(QUERY, tenantVariables(tenantId, { before }));
  const tenant = data.tenant;
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const units = new Map(tenant.units.nodes.map((u) => [u.id, u.name]));
  const events = tenant.events;
  const newest = tenant.checkpoints.nodes[0];
  const earlier = events.pageInfo.hasPreviousPage && h("button", {
    type: "button", onclick: () => timelinePage(main, [tenantId], events.pageInfo.startCursor).then(() => main.querySelector("h2#events-title")?.focus()),
  }, t("audit.earlier"));
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ",
      h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/meetings` }, tenant.name), " / ", t("audit.timeline")),
    h("h1", {}, t("audit.title", { tenant: tenant.name })),
    h("p", { class: "lead" }, t("audit.explain")),
    verification(tenant),
    h("section", { "aria-labelledby": "events-title" },
      h("h2", { id: "events-title", tabindex: "-1" }, t("audit.events", { count: events.totalCount })),
      before && h("p", {}, h("button", { type: "button", class: "link", onclick: () => timelinePage(main, [tenantId]) }, t("audit.latest"))),
      events.nodes.length
        ? h("ol", { class: "timeline", reversed: true }, [...events.nodes].reverse().map((event) => eventEntry(tenantId, event, units, proofNote(event, newest))))
        : h("p", {}, t("audit.noEvents")),
      earlier));
}
