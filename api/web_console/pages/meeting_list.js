// A tenant's meetings, newest first, each linking to its workspace.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { t, when } from "../i18n.js";

const QUERY = `query Meetings(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    meetings(first: 100) { nodes { id title kindLabel statusLabel scheduledFor location } } }
}`;

export async function meetingListPage(main, [tenantId]) {
  const data = await graphql(QUERY, tenantVariables(tenantId));
  if (!data.tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const base = `#/tenants/${encodeURIComponent(tenantId)}/meetings`;
  const meetings = data.tenant.meetings.nodes;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") }, h("a", { href: "#/" }, t("nav.tree")), " / ", data.tenant.name),
    h("h1", {}, t("meetings.title", { tenant: data.tenant.name })),
    h("p", {}, h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/timeline` }, t("audit.timelineLink"))),
    meetings.length
      ? h("table", {},
        h("caption", {}, t("meetings.caption")),
        h("thead", {}, h("tr", {}, ["meetings.when", "meetings.name", "meetings.kind", "meetings.status", "meetings.location"]
          .map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, meetings.map((m) => h("tr", {},
          h("td", {}, when(m.scheduledFor)),
          h("th", { scope: "row" }, h("a", { href: `${base}/${encodeURIComponent(m.id)}` }, m.title)),
          h("td", {}, m.kindLabel), h("td", {}, m.statusLabel), h("td", {}, m.location)))))
      : h("p", {}, t("meetings.none")));
}
