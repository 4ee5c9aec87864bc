// Shared by every page: fetch helpers, formatting, and the 2-second live refresh (no full reloads).
"use strict";

const Triage = (() => {
  const banner = () => document.getElementById("banner");

  async function api(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }

  // Actions carry X-Triage-Action: a cross-site form cannot set it (see WebServer).
  async function post(path) {
    const response = await fetch(path, { method: "POST", headers: { "X-Triage-Action": "1", Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.title || body.error || `HTTP ${response.status}`);
    return body;
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === undefined || value === null) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function duration(seconds) {
    if (seconds === undefined || seconds === null) return "–";
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
    return `${Math.round(seconds / 86400)} d`;
  }

  function time(iso) {
    if (!iso) return "–";
    const t = new Date(iso);
    return t.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function ago(iso) { return iso ? duration((Date.now() - new Date(iso).getTime()) / 1000) + " ago" : "–"; }

  function score(value) { return value === undefined || value === null ? "–" : value.toFixed(3); }

  function badge(text, kind) { return text ? el("span", { class: `badge ${kind || String(text).toLowerCase()}` }, text) : "–"; }

  function fill(tbody, rows, render, emptyText = "none") {
    const columns = tbody.closest("table").querySelectorAll("thead th").length || 1;
    tbody.replaceChildren(...(rows.length ? rows.map(render) : [el("tr", { class: "empty" }, el("td", { colspan: columns }, emptyText))]));
  }

  // Runs refresh now and every 2 s; a failure shows a banner and the next tick tries again.
  function live(refresh, intervalMs = 2000) {
    const tick = async () => {
      try {
        await refresh();
        banner().hidden = true;
        document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
      } catch (e) {
        banner().hidden = false;
        banner().textContent = "Cannot reach the router: " + e.message + " (retrying)";
      }
    };
    tick();
    setInterval(tick, intervalMs);
  }

  function header(active) {
    const pages = [["index.html", "Overview"], ["worklist.html", "Worklist"], ["failures.html", "Failures"], ["model.html", "Model"]];
    document.body.prepend(
      el("header", {},
        el("span", { class: "brand" }, "Triage Router"),
        el("nav", {}, pages.map(([href, label]) => el("a", { href, class: href === active ? "active" : "" }, label))),
        el("span", { id: "updated", class: "muted" })),
      el("div", { id: "banner", class: "banner", hidden: "" }));
  }

  return { api, post, el, duration, time, ago, score, badge, fill, live, header };
})();
