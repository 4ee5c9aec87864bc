"use strict";
const { api, post, el, duration, time, score, badge, fill, live, header } = Triage;
header("");

const uid = new URLSearchParams(location.search).get("uid") || "";
let canAct = false;
document.getElementById("uid").textContent = uid;

async function retry(button, deliveryId) {
  button.disabled = true;
  try { await post(`/api/deliveries/${deliveryId}/retry`); } catch (e) { alert(e.message); }
}

// An HL7 delivery's messages, one line each, and which study identifier was the order key; "–" for DICOM.
function hl7(h) {
  if (!h) return "–";
  const lines = h.messages.map(m => el("div", { "data-message": m.type },
    `${m.type} · `, el("span", { class: "uid" }, m.controlId), " · ",
    m.ackCode ? badge(m.ackCode, ["AA", "CA"].includes(m.ackCode) ? "ok" : ["AR", "CR"].includes(m.ackCode) ? "failed" : "pending") : "no ACK",
    m.ackText ? el("span", { class: "muted" }, " " + m.ackText) : ""));
  const key = h.orderKey === "StudyInstanceUID" ? "order key: Study Instance UID (no accession number)" : "order key: Accession Number";
  return el("div", {}, ...lines, el("div", { class: "muted" }, key));
}

// A delivery's Storage Commitment: its state, and why it failed or timed out; "–" when its destination does not ask.
function commitment(c) {
  if (!c) return "–";
  const kind = { committed: "ok", requested: "pending", failed: "failed", timed_out: "failed" }[c.state];
  return el("div", {}, badge(c.state.replace("_", " "), kind), c.answeredAt ? " " + time(c.answeredAt) : "",
    c.reason ? el("div", { class: "muted" }, c.reason) : "");
}

async function refresh() {
  const s = await api("/api/studies/" + encodeURIComponent(uid));
  const summary = s.summary;
  document.getElementById("category").replaceChildren(badge(summary.category));
  document.getElementById("priority").replaceChildren(badge(summary.priority));
  document.getElementById("score").textContent = score(summary.score);
  document.getElementById("status").replaceChildren(badge(summary.status));
  document.getElementById("waiting").textContent = duration(summary.waitingSeconds);
  document.getElementById("patient").textContent = [summary.patientName, summary.patientId, summary.accessionNumber].filter(Boolean).join(" · ");

  fill(document.querySelector("#timeline tbody"), s.timeline, e => el("tr", {},
    el("td", {}, time(e.at)), el("td", {}, e.stage), el("td", {}, e.what), el("td", { class: "uid" }, e.detail || "")));
  fill(document.querySelector("#images tbody"), s.images, i => el("tr", {},
    el("td", { class: "uid" }, i.sopInstanceUid), el("td", {}, i.modality || "–"), el("td", {}, i.viewPosition || "–"),
    el("td", {}, i.columns ? `${i.columns}×${i.rows}` : "–"),
    el("td", {}, i.eligible == null ? "pending" : badge(i.eligible ? "yes" : "no", i.eligible ? "ok" : "failed")),
    el("td", { class: "muted" }, i.eligible ? i.rule : i.reason || ""),
    el("td", { class: "num" }, score(i.score)), el("td", {}, badge(i.priority)), el("td", {}, i.provider || "–")));
  fill(document.querySelector("#deliveries tbody"), s.deliveries, d => el("tr", { "data-delivery": d.id },
    el("td", {}, d.revision), el("td", {}, d.destination), el("td", { "data-field": "state" }, badge(d.state)),
    el("td", { class: "num" }, d.attempts), el("td", {}, d.lastStatus || "–"), el("td", { class: "muted" }, d.lastError || ""),
    el("td", { "data-field": "hl7" }, hl7(d.hl7)),
    el("td", { "data-field": "commitment" }, commitment(d.storageCommitment)),
    el("td", {}, d.deliveredAt ? time(d.deliveredAt) : d.nextAttemptAt ? "next try " + time(d.nextAttemptAt) : "–"),
    el("td", {}, d.state === "failed" && canAct ? el("button", { onclick: e => retry(e.target, d.id) }, "Retry") : "")));
  fill(document.querySelector("#results tbody"), s.results, r => el("tr", {},
    el("td", {}, r.revision), el("td", {}, badge(r.status)), el("td", {}, badge(r.category)), el("td", { class: "num" }, score(r.score)),
    el("td", {}, badge(r.priority)), el("td", { class: "num" }, r.imageCount), el("td", {}, `${r.modelId} ${r.modelVersion}`),
    el("td", { class: "uid" }, r.srSopInstanceUid || r.reason || "–"), el("td", {}, time(r.createdAt))));
}

Triage.api("/api/me").then(me => { canAct = me.role === "admin"; }).finally(() => live(refresh));
