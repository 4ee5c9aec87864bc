"use strict";
const { api, el, duration, ago, badge, fill, live, header } = Triage;
header("index.html");

function bytes(n) {
  if (n == null || n < 0) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i < 2 ? 0 : 1)} ${units[i]}`;
}

function chart(id, series) {
  const target = document.getElementById(id);
  const options = {
    width: target.clientWidth || 500, height: 220,
    scales: { x: { time: true } },
    // Points as well as lines: a minute with results between empty minutes is a lone point, which a line alone would hide.
    series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 2, spanGaps: false, points: { show: true, size: 5 } }))],
    axes: [{}, { size: 50 }],
  };
  const plot = new uPlot(options, [[], ...series.map(() => [])], target);
  new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height: 220 })).observe(target);
  return plot;
}

const throughputChart = chart("throughput-chart", [["instances received", "#1f6feb"], ["results recorded", "#2e7d32"], ["SRs delivered", "#ef6c00"]]);
const latencyChart = chart("latency-chart", [["to result p50", "#2e7d32"], ["to result p95", "#ef6c00"], ["to PACS p95", "#c62828"]]);

async function refresh() {
  const [o, t] = await Promise.all([api("/api/overview"), api("/api/throughput")]);
  document.getElementById("studies-last-hour").textContent = o.studiesLastHour;
  document.getElementById("instances-last-hour").textContent = o.instancesLastHour;
  document.getElementById("queued-total").textContent = o.stages.reduce((n, s) => n + s.queued + s.running, 0);
  document.getElementById("failed-total").textContent = o.stages.reduce((n, s) => n + s.failed, 0);
  const alerts = document.getElementById("alerts");
  alerts.hidden = o.alerts.length === 0;
  document.body.classList.toggle("alerting", o.alerts.length > 0);
  document.getElementById("alert-list").replaceChildren(...o.alerts.map(a => el("li", {}, a)));
  document.getElementById("database-size").textContent = bytes(o.storage.databaseBytes);
  document.getElementById("database-ceiling").textContent = o.storage.databaseCeilingBytes > 0
    ? `database size (ceiling ${bytes(o.storage.databaseCeilingBytes)})` : "database size (no ceiling)";
  const providers = [...new Set(o.nodes.filter(n => n.alive && n.provider).map(n => n.provider))];
  document.getElementById("providers").textContent = providers.length ? providers.join(", ") : "none";

  fill(document.querySelector("#stages tbody"), o.stages, s => el("tr", { "data-stage": s.stage },
    el("td", {}, s.stage),
    el("td", { class: "num", "data-field": "queued" }, s.queued),
    el("td", { class: "num", "data-field": "running" }, s.running),
    el("td", { class: "num", "data-field": "done" }, s.doneLastHour),
    el("td", { class: "num", "data-field": "failed" }, s.failed > 0 ? el("a", { href: "failures.html" }, s.failed) : s.failed),
    el("td", { "data-field": "oldest" }, s.oldestWaitingSeconds == null ? "–" : duration(s.oldestWaitingSeconds))));
  fill(document.querySelector("#results tbody"), o.results, r => el("tr", { "data-category": r.category, "data-priority": r.priority },
    el("td", {}, badge(r.category)), el("td", {}, badge(r.priority)), el("td", { class: "num", "data-field": "studies" }, r.studies)));
  fill(document.querySelector("#deliveries tbody"), o.deliveries, d => el("tr", { "data-destination": d.destination, "data-state": d.state },
    el("td", {}, d.destination), el("td", {}, badge(d.state)), el("td", { class: "num", "data-field": "deliveries" }, d.deliveries)));
  fill(document.querySelector("#destinations tbody"), o.destinations, d => el("tr", {},
    el("td", {}, d.destination), el("td", {}, badge(d.ok ? "ok" : "DOWN", d.ok ? "ok" : "down")), el("td", {}, ago(d.checkedAt)),
    el("td", { class: "muted" }, d.message || "")), "no destination checked yet");
  fill(document.querySelector("#nodes tbody"), o.nodes, n => el("tr", { "data-node": n.name },
    el("td", {}, n.name), el("td", {}, badge(n.lost ? "lost" : n.alive ? "alive" : "stale", n.lost ? "down" : undefined)), el("td", {}, ago(n.heartbeatAt)),
    el("td", {}, n.model || "–"), el("td", {}, n.provider || "–"), el("td", {}, `${n.aeTitle}:${n.dicomPort}`),
    el("td", { class: "num" + (n.spoolFreeBytes != null && n.spoolFloorBytes != null && n.spoolFreeBytes < n.spoolFloorBytes ? " low" : "") },
      n.spoolFreeBytes == null ? "–" : bytes(n.spoolFreeBytes))));

  throughputChart.setData([t.minutes, t.instancesReceived, t.studiesReported, t.srsDelivered]);
  latencyChart.setData([t.minutes, t.resultLatencyP50, t.resultLatencyP95, t.deliveryLatencyP95]);
}

live(refresh);
