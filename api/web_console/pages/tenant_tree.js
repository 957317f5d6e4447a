// The tenant tree: each street the reader may read with its communities, and per
// community this year's meetings held, open and overdue resolutions, members'
// participation and residents' satisfaction with its commitments.
import { graphql } from "../api.js";
import { h, replace } from "../dom.js";
import { percent, t } from "../i18n.js";

const QUERY = `query TenantTree($period: String!) {
  tenants(first: 50) { nodes {
    id name kind kindLabel parent { id }
    held: meetings(first: 25, status: CLOSED) { nodes { scheduledFor } }
    adopted: resolutions(status: ADOPTED) { totalCount }
    inProgress: resolutions(status: IN_PROGRESS) { totalCount }
    overdue: resolutions(overdue: true) { totalCount }
    participation { members { numerator denominator rate } }
    commitmentSatisfaction(period: $period) { numerator denominator rate }
  } }
}`;

/** This year in Beijing (the period the summaries count). */
function thisYear() {
  return new Intl.DateTimeFormat("en", { year: "numeric", timeZone: "Asia/Shanghai" }).format(new Date());
}

function share(s) {
  return s.denominator ? `${percent(s.rate)} (${s.numerator}/${s.denominator})` : t("common.none");
}

/** Links to the community's commitments board, members and posts. */
/** A community's other pages, linked under its name. */
function pageLinks(id) {
  const base = `#/tenants/${encodeURIComponent(id)}`;
  return [["commitments", "tree.commitments"], ["members", "tree.members"], ["posts", "tree.posts"],
    ["evaluations", "scoring.treeLink"]]
    .map(([page, key]) => [" ", h("a", { href: `${base}/${page}` }, t(key))]);
}

function summaryRow(tenant, year) {
  const held = tenant.held.nodes.filter((m) => m.scheduledFor.startsWith(year)).length;
  const open = tenant.adopted.totalCount + tenant.inProgress.totalCount;
  return h("tr", { "data-tenant": tenant.id },
    h("th", { scope: "row" }, h("a", { href: `#/tenants/${encodeURIComponent(tenant.id)}/meetings` }, tenant.name),
      h("span", { class: "row-links" }, pageLinks(tenant.id))),
    h("td", {}, held),
    h("td", {}, h("a", { href: `#/tenants/${encodeURIComponent(tenant.id)}/resolutions`, "aria-label": t("tracker.linkFor", { n: open }) }, open)),
    h("td", { class: tenant.overdue.totalCount ? "warn" : "" }, tenant.overdue.totalCount),
    h("td", {}, share(tenant.participation.members)),
    h("td", {}, share(tenant.commitmentSatisfaction)),
  );
}

function table(caption, tenants, year) {
  return h("table", {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {},
      ["tree.community", "tree.meetingsHeld", "tree.openResolutions", "tree.overdue", "tree.participation", "tree.satisfaction"]
        .map((key) => h("th", { scope: "col" }, t(key, { year }))))),
    h("tbody", {}, tenants.map((tenant) => summaryRow(tenant, year))),
  );
}

export async function tenantTreePage(main) {
  const year = thisYear();
  const data = await graphql(QUERY, { period: year });
  const tenants = data.tenants.nodes;
  const streets = tenants.filter((x) => x.kind === "street");
  const placed = new Set();
  const sections = streets.map((street) => {
    const communities = tenants.filter((x) => x.parent?.id === street.id);
    communities.forEach((c) => placed.add(c.id));
    placed.add(street.id);
    return h("section", { "aria-labelledby": `street-${street.id}`, class: "street" },
      h("h2", { id: `street-${street.id}` },
        h("a", { href: `#/tenants/${encodeURIComponent(street.id)}/meetings` }, street.name),
        " ", h("span", { class: "tag" }, street.kindLabel)),
      h("p", { class: "links" }, h("a", { href: `#/tenants/${encodeURIComponent(street.id)}/evaluations` }, t("scoring.streetEvaluations")),
        " · ", h("a", { href: `#/tenants/${encodeURIComponent(street.id)}/ranking` }, t("scoring.ranking"))),
      communities.length
        ? table(t("tree.communitiesOf", { street: street.name }), communities, year)
        : h("p", {}, t("tree.noCommunities")));
  });
  // Communities whose street the reader may not read (a community's own staff).
  const alone = tenants.filter((x) => !placed.has(x.id));
  if (alone.length) sections.push(h("section", { class: "street" }, table(t("tree.yourCommunities"), alone, year)));
  replace(main,
    h("h1", {}, t("tree.title")),
    h("p", { class: "lead" }, t("tree.explain", { year })),
    sections.length ? sections : h("p", {}, t("tree.nothing")));
}
