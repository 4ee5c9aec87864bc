"use strict";
const { api, post, el, time, fill, live, header } = Triage;
header("failures.html");

let canAct = false;

async function act(button, path) {
  button.disabled = true;
  try {
    await post(path);
    button.textContent = "Queued";
    await refresh();
  } catch (e) {
    button.disabled = false;
    alert(e.message);
  }
}

function studyLink(uid) {
  return uid ? el("a", { class: "uid", href: "study.html?uid=" + encodeURIComponent(uid) }, uid) : "–";
}

function retryButton(path, id) {
  return canAct ? el("button", { "data-retry": id, onclick: e => act(e.target, path) }, "Retry") : el("span", { class: "muted" }, "admin only");
}

async function refresh() {
  const f = await api("/api/failures");
  fill(document.querySelector("#failed-deliveries tbody"), f.deliveries, d => el("tr", { "data-delivery": d.id },
    el("td", {}, d.id), el("td", {}, d.destination), el("td", {}, studyLink(d.studyInstanceUid)), el("td", { class: "num" }, d.attempts),
    el("td", {}, d.lastStatus || "–"), el("td", { class: "muted" }, d.error || ""), el("td", {}, time(d.failedAt)),
    el("td", {}, retryButton(`/api/deliveries/${d.id}/retry`, "delivery-" + d.id))), "no failed deliveries");
  fill(document.querySelector("#failed-jobs tbody"), f.jobs, j => el("tr", { "data-job": j.id },
    el("td", {}, j.id), el("td", {}, j.stage), el("td", {}, studyLink(j.studyInstanceUid)), el("td", { class: "uid" }, j.subject),
    el("td", { class: "num" }, j.attempts), el("td", { class: "muted" }, j.error || ""), el("td", {}, time(j.failedAt)),
    el("td", {}, retryButton(`/api/jobs/${j.id}/retry`, "job-" + j.id))), "no dead-lettered jobs");
  document.getElementById("retry-all").disabled = !canAct || f.deliveries.length === 0;
}

document.getElementById("retry-all").addEventListener("click", e => act(e.target, "/api/deliveries/retry-failed"));
api("/api/me").then(me => { canAct = me.role === "admin"; }).finally(() => live(refresh));
