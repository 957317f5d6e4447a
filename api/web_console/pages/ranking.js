// A street's ranking for a period: its communities by finalised weighted total, best
// first (equal totals share a rank), each linking to its scoring sheet.
import { graphql } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, tenantVariables } from "../as_of.js";
import { h, replace } from "../dom.js";
import { field } from "../forms.js";
import { t } from "../i18n.js";

const QUERY = `query Ranking(${TENANT_ARGS}, $period: String!) {
  ${TENANT_FIELD} { id name kind
    evaluations(first: 50, subjectKind: COMMUNITY) { nodes { period } }
    ranking(period: $period) { rank subjectId subjectName weightedTotal evaluationId } }
}`;
const PERIODS = `query RankingPeriods(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id evaluations(first: 50, subjectKind: COMMUNITY) { nodes { period status } } }
}`;
const PERIOD = /^\d{4}(H[12]|Q[1-4])?$/;

/** The newest period the street has a finalised community evaluation for. */
async function newestPeriod(tenantId) {
  const data = await graphql(PERIODS, tenantVariables(tenantId));
  const periods = (data.tenant?.evaluations.nodes || []).filter((e) => e.status === "final").map((e) => e.period).sort();
  return periods.at(-1) || String(new Date().getFullYear());
}

export async function rankingPage(main, [tenantId, chosen]) {
  const period = chosen && PERIOD.test(chosen) ? chosen : await newestPeriod(tenantId);
  const data = await graphql(QUERY, tenantVariables(tenantId, { period }));
  const tenant = data.tenant;
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const base = `#/tenants/${encodeURIComponent(tenantId)}`;
  const periods = [...new Set(tenant.evaluations.nodes.map((e) => e.period))].sort().reverse();
  const input = h("input", { name: "period", value: period, required: true, pattern: "\\d{4}(H[12]|Q[1-4])?", list: "ranking-periods" });
  const entries = tenant.ranking;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: `${base}/evaluations` }, tenant.name), " / ", t("scoring.ranking")),
    h("h1", {}, t("scoring.rankingTitle", { tenant: tenant.name, period })),
    h("form", {
      class: "inline", "aria-label": t("scoring.choosePeriod"),
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `${base}/ranking/${encodeURIComponent(input.value.trim())}`;
      },
    },
    field("scoring.period", input, "scoring.periodHint"),
    h("datalist", { id: "ranking-periods" }, periods.map((p) => h("option", { value: p }))),
    h("button", { type: "submit" }, t("scoring.show"))),
    entries.length
      ? h("table", { class: "ranking" },
        h("caption", {}, t("scoring.rankingCaption", { period })),
        h("thead", {}, h("tr", {}, ["scoring.rank", "scoring.community", "scoring.weightedTotal"]
          .map((key) => h("th", { scope: "col" }, t(key))))),
        h("tbody", {}, entries.map((e) => h("tr", { "data-subject": e.subjectId },
          h("td", { class: "number" }, e.rank),
          h("th", { scope: "row" }, h("a", { href: `${base}/evaluations/${encodeURIComponent(e.evaluationId)}` }, e.subjectName || e.subjectId)),
          h("td", { class: "number" }, e.weightedTotal)))))
      : h("p", {}, t("scoring.noRanking", { period })));
}
