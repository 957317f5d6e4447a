// Sign-in at the door, on a phone: the meeting's name and time, the form, and who
// has signed in so far. A liaison's token may sign in its own unit only (the API
// refuses the others, and the console says so).
import { h, replace } from "../dom.js";
import { label, t, when } from "../i18n.js";
import { readMeeting, signInForm } from "./meeting.js";

export async function signInPage(main, [tenantId, meetingId]) {
  const tenant = await readMeeting(tenantId, meetingId);
  if (!tenant) {
    replace(main, h("p", { role: "alert", class: "problem" }, t("problem.not-found")));
    return;
  }
  const meeting = tenant.meeting;
  const reload = async () => {
    await signInPage(main, [tenantId, meetingId]);
    main.querySelector(".done")?.focus();
  };
  const present = meeting.attendance.filter((a) => a.status === "present");
  replace(main,
    h("div", { class: "phone" },
      h("h1", {}, t("signIn.title")),
      h("p", { class: "lead" }, `${meeting.title} · ${when(meeting.scheduledFor)} · ${meeting.location}`),
      meeting.status === "noticed"
        ? signInForm(tenant, meeting, reload)
        : h("p", { role: "status" }, t("signIn.closed", { status: meeting.statusLabel })),
      h("h2", {}, t("signIn.present", { count: present.length })),
      h("ul", { class: "done", tabindex: "-1" }, present.map((a) =>
        h("li", {}, `${a.unit?.name || a.unitId}: ${a.attendee || ""} (${label("attendance", a.status)})`)))));
}
