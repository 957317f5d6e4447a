// Personal data as the API gives it to the reader's role: names masked to the surname
// (the API does it), other fields withheld (null, or the "***" marker). Pages show a
// withheld field as a note, never as an empty cell or an error. Also the days and
// periods the engagement pages fill in by default, in Beijing time.
import { h } from "../dom.js";
import { t } from "../i18n.js";

const HIDDEN = "***";

/** Whether the API withheld this value from the reader. */
export const isWithheld = (text) => text === null || text === undefined || text === HIDDEN;

/** A personal field's text, or a "not shown" note where the API withheld it. */
export function personal(text) {
  return isWithheld(text) ? h("span", { class: "withheld" }, t("members.withheld")) : text;
}

/** Whether a name came back masked (only its surname shown). */
export const isMasked = (name) => typeof name === "string" && name.includes("*");

/** A note saying personal data is shown only in part, when it is. */
export function maskedNote(masked) {
  return masked ? h("p", { class: "note", role: "note" }, t("members.maskedNote")) : null;
}

/** Today in Beijing, as a date field takes it (2026-11-22). */
export function beijingToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

/** The half-year running in Beijing (2026H2): the period ratings are given for. */
export function currentHalfYear() {
  const [year, month] = beijingToday().split("-");
  return `${year}H${Number(month) <= 6 ? 1 : 2}`;
}
