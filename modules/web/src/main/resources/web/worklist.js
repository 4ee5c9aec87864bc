"use strict";
const { api, el, duration, score, badge, fill, live, header } = Triage;
header("worklist.html");

const params = new URLSearchParams(location.search);
for (const id of ["category", "status"]) {
  const select = document.getElementById(id);
  select.value = params.get(id) || "";
  select.addEventListener("change", () => {
    params.set(id, select.value);
    history.replaceState(null, "", "?" + params.toString());
    refresh();
  });
}

function studyLabel(s) {
  const link = el("a", { href: "study.html?uid=" + encodeURIComponent(s.studyInstanceUid), class: "uid" }, s.studyInstanceUid);
  const phi = [s.patientName, s.patientId, s.accessionNumber].filter(Boolean).join(" · ");
  return phi ? [el("div", {}, phi), link] : link;
}

async function refresh() {
  const query = new URLSearchParams();
  for (const id of ["category", "status"]) if (document.getElementById(id).value) query.set(id, document.getElementById(id).value);
  const entries = await api("/api/worklist?" + query.toString());
  document.getElementById("count").textContent = `${entries.length} stud${entries.length === 1 ? "y" : "ies"}`;
  fill(document.querySelector("#worklist tbody"), entries, s => el("tr", { "data-study": s.studyInstanceUid },
    el("td", { "data-field": "priority" }, badge(s.priority)),
    el("td", {}, s.hasThumbnail ? el("img", { class: "thumb", alt: "", loading: "lazy",
      src: `/api/studies/${encodeURIComponent(s.studyInstanceUid)}/thumbnail.png` }) : ""),
    el("td", {}, studyLabel(s)),
    el("td", {}, s.modality || "–"),
    el("td", { class: "num" }, s.instances),
    el("td", { "data-field": "category" }, badge(s.category)),
    el("td", { class: "num", "data-field": "score" }, score(s.score)),
    el("td", { "data-field": "status" }, badge(s.status), s.reason ? el("div", { class: "muted" }, s.reason) : null),
    el("td", {}, duration(s.waitingSeconds))), "no studies match");
}

live(refresh);
