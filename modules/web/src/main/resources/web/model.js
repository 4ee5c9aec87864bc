"use strict";
const { api, el, badge, fill, live, header } = Triage;
header("model.html");

const target = document.getElementById("histogram");
const histogram = new uPlot({
  width: target.clientWidth || 500, height: 220,
  scales: { x: { time: false, range: [0, 1] } },
  series: [{ label: "score" }, { label: "images", stroke: "#1f6feb", fill: "rgba(31,111,235,.25)", paths: uPlot.paths.bars({ size: [0.9] }) }],
  axes: [{}, { size: 50 }],
}, [[], []], target);
new ResizeObserver(() => histogram.setSize({ width: target.clientWidth, height: 220 })).observe(target);

const percent = v => v == null ? "–" : (100 * v).toFixed(1) + " %";

async function refresh() {
  const page = await api("/api/model");
  const m = page.model;
  document.getElementById("model-name").textContent = `${m.id} version ${m.version}`;
  const warning = document.getElementById("model-warning");
  warning.hidden = !m.demo && m.clinicalUse;
  warning.textContent = m.demo ? "Demo model: its scores mean nothing." : "Not validated for clinical use at this site (clinicalUse: false).";
  document.getElementById("provider").textContent = m.provider || "none here";
  document.getElementById("images-scored").textContent = page.images;
  document.getElementById("operating-point").textContent = m.operatingPoint;
  fill(document.querySelector("#operating-points tbody"), page.operatingPoints, p => {
    const declared = m.operatingPoints.find(o => o.name === p.name) || {};
    return el("tr", {}, el("td", {}, p.name), el("td", { class: "num" }, p.threshold.toFixed(3)),
      el("td", { class: "num" }, percent(declared.sensitivity)), el("td", { class: "num" }, percent(declared.specificity)),
      el("td", { class: "num" }, page.images ? `${p.imagesAtOrAbove} (${percent(p.imagesAtOrAbove / page.images)})` : "0"));
  });
  fill(document.querySelector("#bands tbody"), m.priorityBands, b => el("tr", {},
    el("td", {}, b.from.toFixed(2)), el("td", {}, b.to.toFixed(2)), el("td", {}, badge(b.priority))));
  document.getElementById("manifest").textContent = m.manifestText;
  const agreementRow = (label, a) => el("tr", { "data-reads": label }, el("td", {}, label), el("td", { class: "num", "data-field": "reads" }, a.reads),
    el("td", { class: "num", "data-field": "agreement" }, percent(a.agreement)), el("td", { class: "num" }, percent(a.sensitivity)),
    el("td", { class: "num" }, percent(a.specificity)), el("td", { class: "num" }, a.truePositive), el("td", { class: "num" }, a.falsePositive),
    el("td", { class: "num" }, a.trueNegative), el("td", { class: "num" }, a.falseNegative));
  fill(document.querySelector("#agreement tbody"), [agreementRow("all", page.agreement), agreementRow("latest 100", page.recentAgreement)], r => r);
  const width = 1 / page.histogram.length;
  histogram.setData([page.histogram.map((_, i) => (i + 0.5) * width), page.histogram]);
}

live(refresh);
