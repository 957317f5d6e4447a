// The resolution tracker: a tenant's resolutions, overdue first, then the open ones
// by deadline, then the closed ones (verified, superseded), newest deadline first;
// filtered by responsible unit, by status and to the overdue ones. The filters live
// in the address (…/resolutions?unit=…&status=…&overdue=1), so a filtered list can
// be bookmarked and is kept on the way back from a resolution.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { addressOf } from "../as_of_control.js";
import { h, replace } from "../dom.js";
import { field, select } from "../forms.js";
import { t, when } from "../i18n.js";

const PAGE = 100;
const QUERY = `query Resolutions(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    units(first: 100) { nodes { id name } }
    resolutions(first: ${PAGE}) { totalCount nodes { id title action deadline status statusLabel overdue
      responsibleUnitIds completedByUnitIds meeting { id title scheduledFor } } } }
}`;

export const STATUSES = ["adopted", "in_progress", "completed", "verified", "superseded"];
const CLOSED = new Set(["verified", "superseded"]);
export const isOpen = (resolution) => !CLOSED.has(resolution.status);

/** Overdue first, then open by deadline (soonest first), then closed (latest first). */
function rank(a, b) {
  const group = (r) => (r.overdue ? 0 : isOpen(r) ? 1 : 2);
  if (group(a) !== group(b)) return group(a) - group(b);
  const byDeadline = a.deadline.localeCompare(b.deadline);
  return group(a) === 2 ? -byDeadline : byDeadline;
}

/** The filters the address names: {unit, status ("" | "open" | a status), overdue}. */
function filtersOf(query) {
  const params = new URLSearchParams(query || "");
  return { unit: params.get("unit") || "", status: params.get("status") || "", overdue: params.get("overdue") === "1" };
}

function matches(resolution, { unit, status, overdue }) {
  if (unit && !resolution.responsibleUnitIds.includes(unit)) return false;
  if (status === "open" && !isOpen(resolution)) return false;
  if (status && status !== "open" && resolution.status !== status) return false;
  return !overdue || resolution.overdue;
}

/** The responsible units' names; while it is open, each marked once it reported completion. */
export function unitNames(resolution, names) {
  return resolution.responsibleUnitIds.map((id) => {
    const name = names.get(id) || id;
    const done = isOpen(resolution) && resolution.completedByUnitIds.includes(id);
    return done ? t("tracker.unitCompleted", { unit: name }) : name;
  }).join(t("common.listSeparator"));
}

/** The deadline, and "overdue" in words (never by colour alone). */
export function deadlineText(resolution) {
  return resolution.overdue
    ? [resolution.deadline, " ", h("strong", { class: "overdue" }, t("tracker.overdueTag"))]
    : resolution.deadline;
}

function table(tenantId, resolutions, names) {
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  return h("table", { id: "resolutions" },
    h("caption", {}, t("tracker.caption")),
    h("thead", {}, h("tr", {}, ["tracker.action", "tracker.deadline", "tracker.status", "tracker.units", "tracker.meeting"]
      .map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, resolutions.map((r) => h("tr", { "data-resolution": r.id, class: r.overdue ? "overdue" : "" },
      h("th", { scope: "row" },
        h("a", { href: `${base}/resolutions/${encodeURIComponent(r.id)}` }, r.action),
        h("span", { class: "hint" }, r.title)),
      h("td", {}, deadlineText(r)),
      h("td", { class: "status" }, r.statusLabel),
      h("td", {}, unitNames(r, names)),
      h("td", {}, r.meeting
        ? [h("a", { href: `${base}/meetings/${encodeURIComponent(r.meeting.id)}` }, r.meeting.title),
          h("span", { class: "hint" }, when(r.meeting.scheduledFor))]
        : t("common.none"))))));
}

export async function resolutionsPage(main, [tenantId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId));
  if (!data.tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const tenant = data.tenant;
  const all = [...tenant.resolutions.nodes].sort(rank);
  const names = new Map(tenant.units.nodes.map((u) => [u.id, u.name]));
  const responsible = new Set(all.flatMap((r) => r.responsibleUnitIds));
  const filters = filtersOf(location.hash.split("?")[1]);
  const path = `#/tenants/${encodeURIComponent(tenantId)}/resolutions`;

  const unit = select("unit", [...responsible].map((id) => [id, names.get(id) || id]).sort((a, b) => a[1].localeCompare(b[1])),
    { required: false, empty: "tracker.allUnits" });
  const status = select("status", [["open", t("tracker.open")], ...STATUSES.map((s) => [s, t(`tracker.status.${s}`)])],
    { required: false, empty: "tracker.allStatuses" });
  const overdue = h("input", { type: "checkbox", name: "overdue", checked: filters.overdue });
  unit.value = filters.unit;
  status.value = filters.status;
  const count = h("p", { role: "status", class: "meta", id: "tracker-count" });
  const holder = h("div", {});

  function show() {
    const chosen = { unit: unit.value, status: status.value, overdue: overdue.checked };
    const params = new URLSearchParams();
    if (chosen.unit) params.set("unit", chosen.unit);
    if (chosen.status) params.set("status", chosen.status);
    if (chosen.overdue) params.set("overdue", "1");
    // The address follows the filters without a new page (focus stays on the control).
    history.replaceState(null, "", addressOf(`${path}${params.toString() ? `?${params}` : ""}`));
    const shown = all.filter((r) => matches(r, chosen));
    count.textContent = t("tracker.shown", { shown: shown.length, total: tenant.resolutions.totalCount });
    replace(holder, shown.length ? table(tenantId, shown, names) : h("p", {}, t("tracker.none")));
  }

  const open = all.filter(isOpen).length;
  const late = all.filter((r) => r.overdue).length;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ",
      h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/meetings` }, tenant.name), " / ", t("tracker.crumb")),
    h("h1", {}, t("tracker.title", { tenant: tenant.name })),
    h("p", { class: "lead" }, t("tracker.summary", { total: all.length, open, overdue: late })),
    h("form", { class: "filters", role: "search", "aria-label": t("tracker.filters"), onchange: show, onsubmit: (e) => e.preventDefault() },
      field("tracker.filterUnit", unit),
      field("tracker.filterStatus", status),
      h("label", { class: "check" }, overdue, t("tracker.overdueOnly"))),
    count,
    tenant.resolutions.totalCount > PAGE && h("p", { class: "note" }, t("tracker.firstOnly", { n: PAGE })),
    holder);
  show();
}
