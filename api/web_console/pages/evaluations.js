// Evaluations: the list a tenant runs (a street of its communities, a community
// of its member units) with the form that opens one, and the scoring sheet: the
// rubric's categories and items, one column per source, each computed indicator
// beside its item, and exact totals (per category, per source, weighted) that follow
// what is typed. Scores go through the REST commands one by one; then finalise,
// appeal, the appeal's resolution and rectifications.
import { Problem, command, graphql, problemMessage } from "../api.js";
import { TENANT_ARGS, TENANT_FIELD, readingPast, tenantVariables } from "../as_of.js";
import { add, compare, decimalText, multiply, parseDecimal, sum } from "../decimal.js";
import { h, replace } from "../dom.js";
import { commandForm, field, select, value } from "../forms.js";
import { has, label, language, percent, t } from "../i18n.js";

const LIST_QUERY = `query Evaluations(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name kind parent { id name }
    communities(first: 50) { nodes { id name } }
    units(first: 100) { nodes { id name } }
    rubrics(first: 20) { nodes { id name revisions { revision published total } } }
    evaluations(first: 50) { nodes { id subjectKind subjectId period status weightedTotal } } }
}`;

// A street's evaluations of one community (read from the street, when the reader may).
const OF_COMMUNITY_QUERY = `query EvaluationsOf(${TENANT_ARGS}) {
  ${TENANT_FIELD} { id name
    evaluations(first: 50, subjectKind: COMMUNITY) { nodes { id subjectKind subjectId period status weightedTotal } } }
}`;

const SHEET_QUERY = `query ScoringSheet(${TENANT_ARGS}, $evaluation: ID!) {
  ${TENANT_FIELD} { id name kind
    communities(first: 50) { nodes { id name } }
    units(first: 100) { nodes { id name } }
    rubrics(first: 20) { nodes { id name revisions { revision total categories { id labelZh labelEn weight } } } }
    evaluation(id: $evaluation) { id subjectKind subjectId period rubricId revision status weightedTotal
      sources { sourceId label weight total }
      items { id categoryId labelZh labelEn maxPoints indicator indicatorLabel
        indicatorFigure { numerator denominator rate target meetsTarget }
        scores { sourceId points revisions } }
      rectifications { id problem responsible deadline status overdue report evidence } } }
}`;

// The sources a new evaluation starts with (the six-in-one scheme's: the street's
// inspection, the community's self-assessment, residents' review); all editable.
const DEFAULT_SOURCES = [["inspection", "0.6"], ["self", "0.2"], ["residents", "0.2"]];

const evaluationsHref = (tenantId) => `#/tenants/${encodeURIComponent(tenantId)}/evaluations`;
const sheetHref = (tenantId, id) => `${evaluationsHref(tenantId)}/${encodeURIComponent(id)}`;
const notFound = (main) => replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));

/** The record's label in the user's language (English falls back to Chinese). */
const inLanguage = (record) => (language() === "en" && record.labelEn ? record.labelEn : record.labelZh);

/** Names of the subjects a tenant evaluates: its communities and its member units. */
function subjectNames(tenant) {
  return new Map([...tenant.communities.nodes, ...tenant.units.nodes].map((x) => [x.id, x.name]));
}

/** The half-year we are in, Beijing time ("2026H2"). */
function currentHalf() {
  const [year, month] = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", timeZone: "Asia/Shanghai" })
    .format(new Date()).split("-");
  return `${year}H${Number(month) <= 6 ? 1 : 2}`;
}

function evaluationTable(caption, tenantId, evaluations, names) {
  return h("table", { class: "evaluations" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["scoring.subject", "scoring.period", "scoring.status", "scoring.weightedTotal"]
      .map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, evaluations.map((e) => h("tr", { "data-evaluation": e.id },
      h("th", { scope: "row" }, h("a", { href: sheetHref(tenantId, e.id) }, names.get(e.subjectId) || e.subjectId)),
      h("td", {}, e.period),
      h("td", {}, label("scoring.status", e.status)),
      h("td", { class: "number" }, e.weightedTotal ?? t("common.none"))))));
}

/** The form that opens an evaluation: subject, period, published rubric, sources. */
function openForm(tenant, done) {
  const street = tenant.kind === "street";
  const subjects = (street ? tenant.communities.nodes : tenant.units.nodes).map((x) => [x.id, x.name]);
  const rubrics = tenant.rubrics.nodes.flatMap((r) => r.revisions.filter((v) => v.published)
    .map((v) => [`${r.id}/${v.revision}`, t("scoring.rubricRevision", { name: r.name, revision: v.revision, total: v.total })]));
  const sourceRows = DEFAULT_SOURCES.map(([id, weight], n) => h("fieldset", { class: "source" },
    h("legend", {}, t("scoring.sourceN", { n: n + 1 })),
    field("scoring.sourceId", h("input", { name: `source_id_${n}`, value: id, pattern: "[A-Za-z0-9_-]{1,64}" })),
    field("scoring.sourceLabel", h("input", { name: `source_label_${n}`, value: t(`scoring.defaultSource.${id}`) })),
    field("scoring.sourceWeight", h("input", { name: `source_weight_${n}`, value: weight, inputmode: "decimal" }))));
  return commandForm({
    tenantId: tenant.id, done, name: "open-evaluation", title: "scoring.open", path: "evaluations",
    fields: [
      field("scoring.subject", select("subject_id", subjects)),
      field("scoring.period", h("input", { name: "period", value: currentHalf(), required: true, pattern: "\\d{4}(H[12]|Q[1-4])?" }), "scoring.periodHint"),
      field("scoring.rubric", select("rubric", rubrics)),
      h("p", { class: "hint" }, t("scoring.sourcesHint")),
      h("div", { class: "sources" }, sourceRows),
    ],
    body: (f) => {
      const [rubricId, revision] = (value(f, "rubric") || "/").split("/");
      return {
        subject_kind: street ? "community" : "member_unit", subject_id: value(f, "subject_id"),
        period: value(f, "period"), rubric_id: rubricId, revision: Number(revision),
        sources: DEFAULT_SOURCES.map((_, n) => ({
          id: value(f, `source_id_${n}`), label: value(f, `source_label_${n}`), weight: value(f, `source_weight_${n}`),
        })).filter((s) => s.id),
      };
    },
  });
}

export async function evaluationListPage(main, [tenantId]) {
  const data = await graphql(LIST_QUERY, tenantVariables(tenantId));
  const tenant = data.tenant;
  if (!tenant) return notFound(main);
  const names = subjectNames(tenant);
  const reload = () => evaluationListPage(main, [tenantId]);
  // A community's own evaluation by its street, when the reader may read the street.
  let ofCommunity = null;
  if (tenant.parent) {
    try {
      const street = (await graphql(OF_COMMUNITY_QUERY, tenantVariables(tenant.parent.id))).tenant;
      const mine = street?.evaluations.nodes.filter((e) => e.subjectId === tenant.id) || [];
      if (mine.length) {
        ofCommunity = h("section", { "aria-labelledby": "of-community" },
          h("h2", { id: "of-community" }, t("scoring.byStreet", { street: street.name })),
          evaluationTable(t("scoring.byStreetCaption", { street: street.name, community: tenant.name }),
            street.id, mine, new Map([[tenant.id, tenant.name]])));
      }
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      // The street is not the reader's to read: its evaluations are not shown.
    }
  }
  const evaluations = tenant.evaluations.nodes;
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") }, h("a", { href: "#/" }, t("nav.tree")), " / ", tenant.name),
    h("h1", {}, t("scoring.listTitle", { tenant: tenant.name })),
    tenant.kind === "street" && h("p", {}, h("a", { href: `#/tenants/${encodeURIComponent(tenantId)}/ranking` }, t("scoring.rankingLink"))),
    h("section", { "aria-labelledby": "runs" },
      h("h2", { id: "runs" }, t(tenant.kind === "street" ? "scoring.runsStreet" : "scoring.runsCommunity")),
      evaluations.length
        ? evaluationTable(t("scoring.listCaption", { tenant: tenant.name }), tenantId, evaluations, names)
        : h("p", {}, t("scoring.none"))),
    ofCommunity,
    h("section", { "aria-labelledby": "open-title", class: "actions" },
      h("h2", { id: "open-title" }, t("scoring.openTitle")),
      openForm(tenant, async (answer) => { location.hash = sheetHref(tenantId, answer.record_id); })));
}

// ---------------------------------------------------------------------------
// The scoring sheet

const key = (itemId, sourceId) => `${itemId}/${sourceId}`;

function indicatorText(item) {
  if (!item.indicator) return "";
  const name = has(`scoring.indicatorName.${item.indicator}`) ? t(`scoring.indicatorName.${item.indicator}`) : item.indicatorLabel || item.indicator;
  const f = item.indicatorFigure;
  if (!f || !f.denominator) return t("scoring.indicatorNone", { name });
  const figure = { name, rate: percent(f.rate), numerator: f.numerator, denominator: f.denominator };
  if (!f.target) return t("scoring.indicatorNoTarget", figure);
  const verdict = f.meetsTarget === null || f.meetsTarget === undefined ? "" : t(f.meetsTarget ? "scoring.meets" : "scoring.misses");
  return t("scoring.indicator", { ...figure, target: percent(f.target), verdict });
}

/**
 * The sheet's arithmetic, as domain/evaluations.py does it: a source's total is the
 * sum of its points; the weighted total is Σ source weight × source total, exact.
 * Per category and per item the same sums are shown (they add up to the totals).
 */
function totals(evaluation, entered) {
  const sources = evaluation.sources.map((s) => ({ id: s.sourceId, weight: parseDecimal(s.weight) }));
  const points = (itemId, sourceId) => entered.get(key(itemId, sourceId)) ?? null;
  const weighted = (perSource) => sum(sources.map((s) => multiply(s.weight, perSource.get(s.id))));
  const bySource = (items) => new Map(sources.map((s) => [s.id, sum(items.map((i) => points(i.id, s.id)).filter(Boolean))]));
  const item = new Map(evaluation.items.map((i) => [i.id, weighted(bySource([i]))]));
  const categories = new Map();
  for (const categoryId of new Set(evaluation.items.map((i) => i.categoryId))) {
    const perSource = bySource(evaluation.items.filter((i) => i.categoryId === categoryId));
    categories.set(categoryId, { perSource, weighted: weighted(perSource) });
  }
  const perSource = bySource(evaluation.items);
  const missing = evaluation.items.reduce((n, i) => n + sources.filter((s) => points(i.id, s.id) === null).length, 0);
  return { item, categories, perSource, weighted: weighted(perSource), missing };
}

/** A typed score: its exact value, or the reason it is not one. */
function readScore(text, maxPoints) {
  if (text.trim() === "") return { value: null };
  const number = parseDecimal(text);
  if (!number || number.scale > 2) return { error: t("scoring.notANumber") };
  if (compare(number, parseDecimal(maxPoints)) > 0) return { error: t("scoring.overMax", { max: maxPoints }) };
  return { value: number };
}

function sheet(tenant, evaluation, categories, reload) {
  const editable = evaluation.status === "open" && !readingPast();
  const sources = evaluation.sources;
  const recorded = new Map();
  for (const item of evaluation.items) {
    for (const s of item.scores) recorded.set(key(item.id, s.sourceId), s.points);
  }
  const entered = new Map([...recorded].map(([k, v]) => [k, parseDecimal(v)]));
  const inputs = new Map();
  const cells = { item: new Map(), category: new Map(), source: new Map() };
  const weightedOut = h("strong", { id: "weighted-total", class: "total-value" });
  const missingOut = h("span", { class: "missing" });

  function refresh() {
    const result = totals(evaluation, entered);
    for (const [id, total] of result.item) cells.item.get(id).textContent = decimalText(total);
    for (const [id, c] of result.categories) {
      const row = cells.category.get(id);
      for (const s of sources) row.get(s.sourceId).textContent = decimalText(c.perSource.get(s.sourceId));
      row.get("weighted").textContent = decimalText(c.weighted);
    }
    for (const s of sources) cells.source.get(s.sourceId).textContent = decimalText(result.perSource.get(s.sourceId));
    // Once finalised, the total is the API's own (it is the same number).
    const final = evaluation.weightedTotal;
    weightedOut.textContent = final ?? decimalText(result.weighted);
    cells.source.get("weighted").textContent = final ?? decimalText(result.weighted);
    missingOut.textContent = result.missing ? t("scoring.missing", { n: result.missing }) : t("scoring.complete");
  }

  function scoreCell(item, source) {
    const k = key(item.id, source.sourceId);
    const text = recorded.get(k) ?? "";
    if (!editable) return h("td", { class: "number" }, text || t("common.none"));
    const problem = h("span", { class: "cell-problem", id: `p-${item.id}-${source.sourceId}`, role: "alert" });
    const input = h("input", {
      value: text, inputmode: "decimal", autocomplete: "off", class: "score", "data-item": item.id, "data-source": source.sourceId,
      "aria-label": t("scoring.cell", { item: inLanguage(item), source: source.label, max: item.maxPoints }),
      "aria-describedby": problem.id,
      oninput: () => {
        const read = readScore(input.value, item.maxPoints);
        problem.textContent = read.error || "";
        if (read.error) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        if (read.value) entered.set(k, read.value);
        else entered.delete(k);
        refresh();
      },
    });
    inputs.set(k, { input, item, source });
    return h("td", { class: "score-cell" }, input, problem);
  }

  const head = h("thead", {}, h("tr", {},
    h("th", { scope: "col" }, t("scoring.item")),
    h("th", { scope: "col", class: "number" }, t("scoring.maxPoints")),
    h("th", { scope: "col" }, t("scoring.indicatorColumn")),
    sources.map((s) => h("th", { scope: "col", class: "number" }, s.label, h("br"), h("span", { class: "tag" }, t("scoring.weight", { weight: s.weight })))),
    h("th", { scope: "col", class: "number" }, t("scoring.weightedColumn"))));
  const bodies = categories.map((category) => {
    const items = evaluation.items.filter((i) => i.categoryId === category.id);
    const subtotal = new Map([...sources.map((s) => [s.sourceId, h("td", { class: "number" })]), ["weighted", h("td", { class: "number" })]]);
    cells.category.set(category.id, subtotal);
    return h("tbody", { "data-category": category.id },
      h("tr", { class: "category" }, h("th", { scope: "colgroup", colspan: 4 + sources.length },
        t("scoring.category", { name: inLanguage(category), weight: category.weight }))),
      items.map((item) => {
        const weighted = h("td", { class: "number" });
        cells.item.set(item.id, weighted);
        return h("tr", { "data-item": item.id },
          h("th", { scope: "row" }, inLanguage(item)),
          h("td", { class: "number" }, item.maxPoints),
          h("td", { class: "indicator" }, indicatorText(item)),
          sources.map((s) => scoreCell(item, s)),
          weighted);
      }),
      h("tr", { class: "subtotal" },
        h("th", { scope: "row", colspan: 3 }, t("scoring.subtotal", { name: inLanguage(category) })),
        sources.map((s) => subtotal.get(s.sourceId)), subtotal.get("weighted")));
  });
  const foot = new Map([...sources.map((s) => [s.sourceId, h("td", { class: "number" })]), ["weighted", h("td", { class: "number strong" })]]);
  cells.source = foot;
  const table = h("table", { class: "sheet" },
    h("caption", {}, t("scoring.sheetCaption")),
    head, bodies,
    h("tfoot", {}, h("tr", {},
      h("th", { scope: "row", colspan: 3 }, t("scoring.sourceTotals")),
      sources.map((s) => foot.get(s.sourceId)), foot.get("weighted"))));
  refresh();

  const summary = h("p", { class: "total", role: "status" },
    t("scoring.totalLabel"), weightedOut, " ", missingOut);
  if (!editable) {
    return h("section", { "aria-labelledby": "sheet-title", class: "sheet-form" },
      h("h2", { id: "sheet-title" }, t("scoring.sheetTitle")), summary, table);
  }

  // Saving: each changed score is one ScoreItem command; a re-score is a revision
  // and carries the reason. A refused score stops there, keeping what was typed.
  const alert = h("p", { role: "alert", class: "problem" });
  const progress = h("p", { class: "meta", "aria-live": "polite" });
  const reason = h("input", { name: "reason", autocomplete: "off" });
  const saveButton = h("button", { type: "submit", name: "save" }, t("scoring.save"));
  const finaliseButton = h("button", { type: "button", name: "finalise", class: "secondary" }, t("scoring.finalise"));

  async function save() {
    const invalid = [...inputs.values()].find(({ input }) => input.getAttribute("aria-invalid") === "true");
    if (invalid) {
      invalid.input.focus();
      throw new Problem(422, "scoring-invalid", "");
    }
    const changed = [...inputs].filter(([k, { input }]) => input.value.trim() !== "" && input.value.trim() !== recorded.get(k));
    for (const [n, [k, { input, item, source }]] of changed.entries()) {
      progress.textContent = t("scoring.saving", { done: n, all: changed.length });
      const typed = input.value.trim();
      const revision = recorded.has(k);
      const body = { item_id: item.id, source_id: source.sourceId, points: typed };
      if (revision && reason.value.trim()) body.reason = reason.value.trim();
      try {
        await command(tenant.id, `evaluations/${encodeURIComponent(evaluation.id)}/scores`, body);
      } catch (error) {
        input.focus();
        throw error;
      }
      recorded.set(k, typed);
    }
    progress.textContent = changed.length ? t("scoring.saved", { all: changed.length }) : "";
  }

  async function run(work) {
    alert.textContent = "";
    saveButton.disabled = finaliseButton.disabled = true;
    try {
      await work();
      await reload();
    } catch (error) {
      alert.textContent = problemMessage(error);
    } finally {
      saveButton.disabled = finaliseButton.disabled = false;
    }
  }

  finaliseButton.addEventListener("click", () => run(async () => {
    await save();
    await command(tenant.id, `evaluations/${encodeURIComponent(evaluation.id)}/finalisation`, {});
  }));
  const form = h("form", {
    class: "sheet-form", "data-command": "scores", "aria-labelledby": "sheet-title",
    onsubmit: (event) => { event.preventDefault(); run(save); },
  },
    h("h2", { id: "sheet-title" }, t("scoring.sheetTitle")),
    summary, table,
    field("scoring.reason", reason, "scoring.reasonHint"),
    alert, progress,
    h("div", { class: "buttons" }, saveButton, finaliseButton));
  return form;
}

function rectifications(evaluation) {
  const list = evaluation.rectifications;
  return h("section", { "aria-labelledby": "rect-title" },
    h("h2", { id: "rect-title" }, t("scoring.rectifications")),
    list.length
      ? h("table", {},
        h("caption", {}, t("scoring.rectificationsCaption")),
        h("thead", {}, h("tr", {}, ["scoring.problem", "scoring.responsible", "scoring.deadline", "scoring.rectStatus", "scoring.report", "scoring.verified"]
          .map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, list.map((r) => h("tr", { "data-rectification": r.id },
          h("th", { scope: "row" }, r.problem),
          h("td", {}, r.responsible),
          h("td", { class: r.overdue ? "warn" : "" }, r.deadline, r.overdue ? ` (${t("scoring.overdue")})` : ""),
          h("td", {}, label("scoring.rectStatus", r.status)),
          h("td", {}, r.report || ""),
          h("td", {}, r.evidence || "")))))
      : h("p", {}, t("scoring.noRectifications")));
}

/** The commands the evaluation's state allows (the API says who may send each). */
function actions(tenant, evaluation, reload) {
  const base = `evaluations/${encodeURIComponent(evaluation.id)}`;
  const common = { tenantId: tenant.id, done: reload };
  const forms = [];
  if (evaluation.status === "final") {
    forms.push(commandForm({ ...common, name: "appeal", title: "scoring.appeal", path: `${base}/appeals`,
      fields: [field("scoring.appealReason", h("textarea", { name: "reason", rows: 3, required: true }), "scoring.appealHint")],
      body: (f) => ({ reason: value(f, "reason") }) }));
  }
  if (evaluation.status === "appealed") {
    forms.push(commandForm({ ...common, name: "resolve-appeal", title: "scoring.resolveAppeal", path: `${base}/appeal-resolution`,
      fields: [field("scoring.outcome", select("outcome", [["upheld", t("scoring.upheld")], ["reopened", t("scoring.reopened")]])),
        field("scoring.resolveReason", h("textarea", { name: "reason", rows: 2, required: true }))],
      body: (f) => ({ outcome: value(f, "outcome"), reason: value(f, "reason") }) }));
  }
  forms.push(commandForm({ ...common, name: "require-rectification", title: "scoring.requireRectification", path: `${base}/rectifications`,
    fields: [field("scoring.problem", h("textarea", { name: "problem", rows: 2, required: true })),
      field("scoring.responsible", h("input", { name: "responsible", required: true })),
      field("scoring.deadline", h("input", { type: "date", name: "deadline", required: true }))],
    body: (f) => ({ problem: value(f, "problem"), responsible: value(f, "responsible"), deadline: value(f, "deadline") }) }));
  const withStatus = (status) => evaluation.rectifications.filter((r) => r.status === status).map((r) => [r.id, r.problem]);
  const open = withStatus("open");
  if (open.length) {
    forms.push(commandForm({ ...common, name: "report-rectification", title: "scoring.reportRectification",
      path: (f) => `${base}/rectifications/${encodeURIComponent(value(f, "rectification_id"))}/report`,
      fields: [field("scoring.rectification", select("rectification_id", open)),
        field("scoring.reportEvidence", h("textarea", { name: "evidence", rows: 2, required: true }))],
      body: (f) => ({ evidence: value(f, "evidence") }) }));
  }
  const reported = withStatus("reported");
  if (reported.length) {
    forms.push(commandForm({ ...common, name: "close-rectification", title: "scoring.closeRectification",
      path: (f) => `${base}/rectifications/${encodeURIComponent(value(f, "rectification_id"))}/closure`,
      fields: [field("scoring.rectification", select("rectification_id", reported)),
        field("scoring.closeEvidence", h("textarea", { name: "evidence", rows: 2, required: true }))],
      body: (f) => ({ evidence: value(f, "evidence") }) }));
    forms.push(commandForm({ ...common, name: "return-rectification", title: "scoring.returnRectification",
      path: (f) => `${base}/rectifications/${encodeURIComponent(value(f, "rectification_id"))}/return`,
      fields: [field("scoring.rectification", select("rectification_id", reported)),
        field("scoring.returnReason", h("textarea", { name: "reason", rows: 2, required: true }))],
      body: (f) => ({ reason: value(f, "reason") }) }));
  }
  if (!forms.some(Boolean)) return null; // none the viewer's role may send
  return h("section", { "aria-labelledby": "actions-title", class: "actions scoring-actions" },
    h("h2", { id: "actions-title" }, t("scoring.actions")),
    h("p", { class: "hint" }, t("scoring.whoActs")), forms);
}

export async function evaluationPage(main, [tenantId, evaluationId]) {
  const data = await graphql(SHEET_QUERY, tenantVariables(tenantId, { evaluation: evaluationId }));
  const tenant = data.tenant;
  const evaluation = tenant?.evaluation;
  if (!evaluation) return notFound(main);
  const rubric = tenant.rubrics.nodes.find((r) => r.id === evaluation.rubricId);
  const revision = rubric?.revisions.find((v) => v.revision === evaluation.revision);
  // The categories in the rubric's order; an unknown one is named by its id.
  const categoryIds = [...new Set(evaluation.items.map((i) => i.categoryId))];
  const categories = categoryIds.map((id) => revision?.categories.find((c) => c.id === id)
    || { id, labelZh: id, labelEn: id, weight: "" });
  const subject = subjectNames(tenant).get(evaluation.subjectId) || evaluation.subjectId;
  const reload = () => evaluationPage(main, [tenantId, evaluationId]);
  const title = t("scoring.sheetHeading", { subject, period: evaluation.period });
  replace(main,
    h("nav", { class: "crumbs", "aria-label": t("nav.crumbs") },
      h("a", { href: "#/" }, t("nav.tree")), " / ", h("a", { href: evaluationsHref(tenantId) }, tenant.name), " / ", title),
    h("h1", {}, title),
    h("dl", { class: "facts" },
      h("dt", {}, t("scoring.status")), h("dd", { class: "status" }, label("scoring.status", evaluation.status)),
      h("dt", {}, t("scoring.rubric")), h("dd", {}, rubric ? t("scoring.rubricRevision", { name: rubric.name, revision: evaluation.revision, total: revision?.total ?? "" }) : evaluation.rubricId),
      h("dt", {}, t("scoring.subjectKind")), h("dd", {}, label("scoring.subjectKind", evaluation.subjectKind))),
    sheet(tenant, evaluation, categories, reload),
    h("div", { class: "columns" },
      h("div", {}, rectifications(evaluation)),
      actions(tenant, evaluation, reload)));
}

