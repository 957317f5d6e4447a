// The console's shell: the header (title, navigation, language, sign-out), the
// router from the address's #fragment to a page, and the sign-in by token.
import { clearToken, graphql, problemMessage, setToken, token, whenUnauthenticated } from "./api.js";
import { asOfControl, followAddress, tenantOf } from "./as_of_control.js";
import { h, replace } from "./dom.js";
import { LANGUAGES, language, loadLanguage, setLanguage, t } from "./i18n.js";
import { commitmentsPage } from "./pages/commitments.js";
import { evaluationListPage, evaluationPage } from "./pages/evaluations.js";
import { meetingPage } from "./pages/meeting.js";
import { meetingListPage } from "./pages/meeting_list.js";
import { memberPage } from "./pages/member.js";
import { membersPage } from "./pages/members.js";
import { postsPage } from "./pages/posts.js";
import { rankingPage } from "./pages/ranking.js";
import { recordHistoryPage } from "./pages/record_history.js";
import { resolutionPage } from "./pages/resolution.js";
import { resolutionsPage } from "./pages/resolutions.js";
import { signInPage } from "./pages/sign_in.js";
import { tenantTreePage } from "./pages/tenant_tree.js";
import { forgetViewer, loadViewer } from "./viewer.js";
import { timelinePage } from "./pages/timeline.js";

// Each route: a pattern over the #fragment and the page it shows. A page is an
// async function (main element, params) that fills the element.
const ROUTES = [
  [/^#?\/?$/, tenantTreePage],
  [/^#\/tenants\/([^/]+)\/meetings$/, meetingListPage],
  [/^#\/tenants\/([^/]+)\/meetings\/([^/]+)$/, meetingPage],
  [/^#\/tenants\/([^/]+)\/meetings\/([^/]+)\/sign-in$/, signInPage],
  [/^#\/tenants\/([^/]+)\/resolutions(?:\?(.*))?$/, resolutionsPage],
  [/^#\/tenants\/([^/]+)\/resolutions\/([^/?]+)$/, resolutionPage],
  [/^#\/tenants\/([^/]+)\/commitments$/, commitmentsPage],
  [/^#\/tenants\/([^/]+)\/members$/, membersPage],
  [/^#\/tenants\/([^/]+)\/members\/([^/]+)$/, memberPage],
  [/^#\/tenants\/([^/]+)\/posts$/, postsPage],
  [/^#\/tenants\/([^/]+)\/evaluations$/, evaluationListPage],
  [/^#\/tenants\/([^/]+)\/evaluations\/([^/]+)$/, evaluationPage],
  [/^#\/tenants\/([^/]+)\/ranking(?:\/([^/]+))?$/, rankingPage],
  [/^#\/tenants\/([^/]+)\/timeline$/, timelinePage],
  [/^#\/tenants\/([^/]+)\/history\/([^/]+)$/, recordHistoryPage],
];

const root = document.getElementById("app");
let signInNotice = "";

whenUnauthenticated(() => {
  clearToken();
  forgetViewer();
  signInNotice = t("login.expired");
});

function header() {
  const other = LANGUAGES.find((l) => l !== language());
  return h("header", { class: "top" },
    h("a", { class: "skip", href: "#main", onclick: (e) => { e.preventDefault(); document.getElementById("main")?.focus(); } }, t("nav.skip")),
    h("span", { class: "brand" }, t("app.title")),
    token() && h("nav", { "aria-label": t("nav.label") }, h("a", { href: "#/" }, t("nav.tree"))),
    h("span", { class: "spacer" }),
    h("button", {
      type: "button", lang: other, title: t("language.switch"),
      onclick: async () => { await setLanguage(other); await render(); },
    }, t(`language.${other}`)),
    token() && h("button", {
      type: "button", onclick: () => { clearToken(); forgetViewer(); location.hash = "#/"; render(); },
    }, t("login.signOut")),
  );
}

function loginPage(main) {
  // A password field: Enter signs in, and the secret is not shown over a shoulder.
  const field = h("input", { id: "token", name: "token", type: "password", required: true, autocomplete: "off" });
  const alert = h("p", { role: "alert", class: "problem", id: "login-problem" });
  if (signInNotice) alert.textContent = signInNotice;
  const submit = h("button", { type: "submit" }, t("login.submit"));
  const form = h("form", {
    class: "card narrow", "aria-labelledby": "login-title",
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      alert.textContent = "";
      setToken(field.value.trim());
      forgetViewer();
      try {
        await graphql("{ tenants(first: 1) { totalCount } }");
        signInNotice = "";
        await render();
      } catch (error) {
        clearToken();
        alert.textContent = problemMessage(error);
        field.focus();
      } finally {
        submit.disabled = false;
      }
    },
  },
    h("h1", { id: "login-title" }, t("login.title")),
    h("p", {}, t("login.explain")),
    h("label", { for: "token" }, t("login.token")),
    field, alert, submit,
  );
  replace(main, form);
  field.focus();
}

/** Show the page the address names (or the sign-in page without a token). */
export async function render() {
  document.title = t("app.title");
  const hash = followAddress(location.hash || "#/"); // the page, its moment read (as_of_control.js)
  const main = h("main", { id: "main", tabindex: "-1" });
  replace(root, header(), token() && asOfControl(hash, render), main);
  if (!token()) {
    loginPage(main);
    return;
  }
  for (const [pattern, page] of ROUTES) {
    const found = hash.match(pattern);
    if (found) {
      main.setAttribute("aria-busy", "true");
      replace(main, h("p", { class: "loading" }, t("common.loading")));
      try {
        const tenantId = tenantOf(hash);
        if (tenantId) await loadViewer(tenantId); // which forms to offer
        await page(main, found.slice(1).map(decodeURIComponent));
      } catch (error) {
        if (!token()) return render();
        replace(main, h("p", { role: "alert", class: "problem" }, problemMessage(error)));
      } finally {
        main.removeAttribute("aria-busy");
      }
      return;
    }
  }
  replace(main, h("p", { role: "alert", class: "problem" }, t("problem.no-such-page")));
}

// After following a link, focus moves to the new page's content (for screen readers
// and keyboard users, as a full page load would).
window.addEventListener("hashchange", async () => {
  await render();
  document.getElementById("main")?.focus();
});
await loadLanguage();
await render();
