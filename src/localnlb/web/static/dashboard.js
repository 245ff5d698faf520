// localnlb dashboard: renders the scene the server pushes (Server-Sent Events on /api/stream).
// The page computes nothing about health or rates: it draws the scene's values, with a text
// label and an icon for every state so that colour is never the only carrier.
"use strict";

const STATE_ICONS = {
  healthy: "✔", unhealthy: "✖", initial: "◌", draining: "⏳", "unhealthy.draining": "⏳",
  unused: "–", unavailable: "?", ready: "✔", notready: "✖", terminating: "⏳",
};
let paused = false;
let latest = null;

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function stateLabel(state) {
  const key = String(state).toLowerCase();
  const icon = STATE_ICONS[key] || "•";
  return `<span class="state state-${esc(key)}" data-state="${esc(key)}">` +
    `<span aria-hidden="true">${icon}</span> ${esc(state)}</span>`;
}

function bytesRate(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} kB/s`;
  return `${value.toFixed(0)} B/s`;
}

function rateText(edge) {
  const flows = `${edge.flows_per_second.toFixed(edge.flows_per_second < 10 ? 2 : 0)} flows/s`;
  const shared = edge.shared_by > 1 ? ` (shared by ${edge.shared_by} pods)` : "";
  const active = edge.active ? `, ${edge.active} open` : "";
  return `${flows} · ${bytesRate(edge.bytes_per_second)}${active}${shared}`;
}

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour12: false });
}

function anchorsOf(scene) {
  const names = {};
  for (const node of scene.nodes) {
    names[node.anchor] = `node ${node.name}`;
    for (const port of node.node_ports) names[port.anchor] = `${node.name} NodePort ${port.node_port}`;
    for (const pod of node.pods) names[pod.anchor] = `pod ${pod.name}`;
  }
  for (const lb of scene.load_balancers) {
    for (const n of lb.nodes) names[n.anchor] = `LB node ${n.zone}`;
    for (const g of lb.target_groups) for (const t of g.targets) names[t.anchor] ??= `target ${t.id}:${t.port}`;
  }
  return names;
}

function renderSources(scene) {
  document.getElementById("sources").innerHTML = scene.sources.map((s) =>
    `<li data-ok="${s.ok}" title="${esc(s.detail)}"><span aria-hidden="true">${s.ok ? "●" : "○"}</span> ` +
    `${esc(s.name)}: ${s.ok ? "live" : "unavailable"}</li>`).join("");
}

function renderLoadBalancers(scene) {
  const el = document.getElementById("load-balancers");
  if (!scene.load_balancers.length) {
    el.innerHTML = `<p class="empty">No load balancer yet.</p>`;
    return;
  }
  el.innerHTML = scene.load_balancers.map((lb) => {
    const listeners = lb.listeners.map((l) =>
      `<span class="chip">Listener ${esc(l.protocol)}:${l.port} → ${esc(l.target_group || "none")}</span>`).join("");
    const groups = lb.target_groups.map((g) =>
      `<span class="chip mode-${esc(g.mode)}" data-testid="tg-chip" data-mode="${esc(g.mode)}">` +
      `TargetGroup ${esc(g.name)} <span class="mode">(mode ${esc(g.mode)})</span> · ${g.targets.length} targets</span>`).join("");
    return `<article class="lb" role="group" tabindex="0" data-anchor="lb:${esc(lb.name)}" ` +
      `aria-label="Load balancer ${esc(lb.name)}, ${esc(lb.state)}">` +
      `<h3>Network Load Balancer ${esc(lb.name)}</h3>` +
      `<div class="dns">${esc(lb.dns_name)} · ${esc(lb.scheme)} · ${esc(lb.state)}` +
      `${lb.service ? ` · Service ${esc(lb.service)}` : ""} · cross-zone ${lb.cross_zone ? "on" : "off"}</div>` +
      `<div class="chips">${listeners}</div><div class="chips">${groups}</div></article>`;
  }).join("");
}

function renderZones(scene) {
  const el = document.getElementById("zones");
  el.style.setProperty("--zones", Math.max(scene.zones.length, 1));
  el.innerHTML = scene.zones.map((zone) => {
    const lbNodes = scene.load_balancers.flatMap((lb) => lb.nodes.filter((n) => n.zone === zone)
      .map((n) => `<div class="lbnode" role="group" tabindex="0" data-anchor="${esc(n.anchor)}" ` +
        `aria-label="LB node of ${esc(lb.name)} in ${esc(zone)} at ${esc(n.address)}">` +
        `LB node ${esc(n.address)}</div>`));
    const nodes = scene.nodes.filter((n) => n.zone === zone).map(renderNode);
    return `<section class="zone" aria-label="Availability Zone ${esc(zone)}">` +
      `<h3>AZ ${esc(zone)}</h3><div class="lbnodes">${lbNodes.join("")}</div>${nodes.join("")}</section>`;
  }).join("") || `<p class="empty">No Availability Zone seen yet.</p>`;
}

function renderUnscheduled(scene) {
  const el = document.getElementById("unscheduled");
  el.hidden = scene.unscheduled_pods.length === 0;
  el.innerHTML = `<h3>Pods on no node yet</h3>` + scene.unscheduled_pods.map((p) =>
    `<div class="pod" role="group" tabindex="0" data-testid="pod" data-anchor="${esc(p.anchor)}" data-ready="${p.ready}" ` +
    `aria-label="Pod ${esc(p.name)} ${esc(p.phase)}, on no node">` +
    `Pod ${esc(p.name)} <span class="meta">${esc(p.phase)} · ${stateLabel(p.ready ? "Ready" : "NotReady")}</span></div>`).join("");
}

function renderNode(node) {
  const ports = node.node_ports.map((p) =>
    `<span class="nodeport" role="group" tabindex="0" data-anchor="${esc(p.anchor)}" ` +
    `aria-label="NodePort ${p.node_port} of ${esc(p.service)}">NP ${p.node_port} <span class="meta">${esc(p.service)}</span></span>`).join("");
  const pods = node.pods.map((p) => {
    const state = p.terminating ? "terminating" : p.ready ? "Ready" : "NotReady";
    return `<div class="pod" role="group" tabindex="0" data-testid="pod" data-anchor="${esc(p.anchor)}" data-ready="${p.ready}" ` +
      `aria-label="Pod ${esc(p.name)} ${esc(p.ip)} ${state}">` +
      `<div>Pod ${esc(p.name)}</div><div class="meta">${esc(p.ip)} · ${esc(p.phase)} · ${stateLabel(state)}</div></div>`;
  }).join("");
  return `<div class="node" role="group" tabindex="0" data-anchor="${esc(node.anchor)}" ` +
    `aria-label="Node ${esc(node.name)} ${node.ready ? "Ready" : "NotReady"}">` +
    `<div class="nodeports">${ports}</div>` +
    `<div class="pods">${pods || `<div class="meta">no pods</div>`}</div>` +
    `<h4>Node ${esc(node.name)}</h4><div class="meta">${esc(node.instance_id)} · ${esc(node.address)} · ` +
    `${stateLabel(node.ready ? "Ready" : "NotReady")}</div></div>`;
}

function renderTargets(scene) {
  const el = document.getElementById("target-groups");
  const tables = scene.load_balancers.flatMap((lb) => lb.target_groups.map((g) => {
    const rows = g.targets.map((t) =>
      `<tr data-testid="target-row" data-mode="${esc(g.mode)}" data-state="${esc(t.state)}" data-target="${esc(t.id)}:${t.port}">` +
      `<td class="id">${esc(t.id)}:${t.port}<div class="meta">${esc(t.label)}</div></td><td class="zone-cell">${esc(t.zone)}</td>` +
      `<td>${stateLabel(t.state)}${t.reason ? `<div class="reason">${esc(t.reason)}</div>` : ""}` +
      `${t.draining_until ? `<div class="reason">drains until ${clock(t.draining_until)}</div>` : ""}` +
      `${t.description ? `<div class="reason">${esc(t.description)}</div>` : ""}</td></tr>`).join("");
    return `<table data-testid="target-group" data-mode="${esc(g.mode)}" data-name="${esc(g.name)}">` +
      `<caption>${esc(g.name)} — ${esc(g.mode)} mode, ${esc(g.protocol)}:${g.port}` +
      `<div class="meta">health check: ${esc(g.health_check)}</div></caption>` +
      `<thead><tr><th scope="col">Target</th><th scope="col">AZ</th><th scope="col">State</th>` +
      `</tr></thead><tbody>${rows || `<tr><td colspan="3" class="empty">no targets</td></tr>`}</tbody></table>`;
  }));
  el.innerHTML = tables.join("") || `<p class="empty">No target group yet.</p>`;
}

function edgeMarks(edge) {
  return (edge.cross_az ? ` <span class="badge cross">⇄ cross-AZ</span>` : "") +
    (edge.cross_node ? ` <span class="badge hop">↪ extra hop</span>` : "");
}

function renderPaths(scene, names) {
  const el = document.getElementById("paths");
  const rows = scene.edges.filter((e) => e.lit || e.last_flow_at).map((e) =>
    `<tr data-testid="path-row" data-hop="${esc(e.hop)}" data-lit="${e.lit}">` +
    `<td>${esc(names[e.source] || e.source)} → ${esc(names[e.target] || e.target)}${edgeMarks(e)}</td>` +
    `<td>${e.lit ? rateText(e) : `idle since ${e.last_flow_at ? clock(e.last_flow_at) : "—"}`}</td></tr>`);
  const idle = scene.edges.length - rows.length;
  el.innerHTML = (rows.length
    ? `<table><thead><tr><th scope="col">Path</th><th scope="col">Last ${scene.rate_window_seconds}s</th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table>`
    : `<p class="empty">No traffic yet.</p>`) +
    `<p class="meta">${scene.edges.length} possible paths, ${idle} without traffic so far.</p>`;
}

const TIMELINE_KEPT = 80;
const shownEntries = new Set();

function timelineKey(t) {
  return `${t.at}|${t.kind}|${t.subject}|${t.text}`;
}

// New entries are added on top; the list is never rebuilt, so a screen reader announces only
// what is new (the list is a polite live region).
function renderTimeline(scene) {
  const list = document.getElementById("timeline");
  const fresh = scene.timeline.slice(0, TIMELINE_KEPT).filter((t) => !shownEntries.has(timelineKey(t)));
  for (const t of fresh.reverse()) {
    shownEntries.add(timelineKey(t));
    const item = document.createElement("li");
    item.dataset.kind = t.kind;
    item.dataset.at = String(t.at);
    item.innerHTML = `<time>${clock(t.at)}</time><span class="kind">${esc(t.kind)}</span>` +
      `<span class="subject">${esc(t.subject)}</span> ${esc(t.text)}`;
    const later = [...list.children].find((li) => Number(li.dataset.at) <= t.at);
    list.insertBefore(item, later ?? null);
  }
  while (list.children.length > TIMELINE_KEPT) list.lastElementChild.remove();
}

function center(el, box, side) {
  const r = el.getBoundingClientRect();
  const x = r.left - box.left + r.width / 2;
  return { x, y: side === "top" ? r.top - box.top : r.bottom - box.top };
}

function compactRate(edge) {
  return `${edge.flows_per_second.toFixed(1)}/s · ${bytesRate(edge.bytes_per_second)}`;
}

function curve(a, b) {
  const bend = Math.max(24, Math.abs(b.y - a.y) / 2);
  return `M${a.x},${a.y} C${a.x},${a.y + bend} ${b.x},${b.y - bend} ${b.x},${b.y}`;
}

function drawEdges(scene) {
  const svg = document.getElementById("edges");
  const diagram = document.getElementById("diagram");
  const box = diagram.getBoundingClientRect();
  const find = (anchor) => diagram.querySelector(`[data-anchor="${CSS.escape(anchor)}"]`);
  svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
  const lines = [];
  const labels = [];
  // The load balancer to its LB nodes: structure, not traffic. Not when the zones are stacked
  // (narrow window): those lines would run across the zones above.
  const stacked = window.matchMedia("(max-width: 900px)").matches;
  for (const lb of stacked ? [] : scene.load_balancers) {
    const card = find(`lb:${lb.name}`);
    for (const node of lb.nodes) {
      const el = find(node.anchor);
      if (card && el) lines.push(`<path class="structure" d="${curve(center(card, box, "bottom"), center(el, box, "top"))}"></path>`);
    }
  }
  // Idle edges first, lit ones on top.
  const ordered = [...scene.edges].sort((a, b) => Number(a.lit) - Number(b.lit));
  for (const edge of ordered) {
    const from = find(edge.source);
    const to = find(edge.target);
    if (!from || !to) continue;
    const a = center(from, box, "bottom");
    const b = center(to, box, "top");
    const empty = edge.lit && edge.bytes_per_second === 0 && edge.active === 0;
    const cls = `edge${edge.lit ? " lit" : ""}${empty ? " empty" : ""}${edge.cross_az ? " cross-az" : ""}`;
    lines.push(`<path class="${cls}" d="${curve(a, b)}" data-edge="${esc(edge.id)}" data-lit="${edge.lit}"></path>`);
    if (edge.lit) {
      const marks = [edge.cross_az ? "⇄ cross-AZ" : "", edge.cross_node ? "↪ hop" : ""].filter(Boolean);
      const text = [compactRate(edge), ...marks].join(" · ");
      // Near the source end, where the lines of different edges are still apart.
      const t = edge.cross_node ? 0.3 : edge.hop === "node-to-pod" ? 0.55 : 0.45;
      const x = a.x + (b.x - a.x) * t;
      const y = a.y + (b.y - a.y) * t;
      const width = text.length * 5.8 + 8;
      labels.push(`<g class="edge-label"><rect x="${x - width / 2}" y="${y - 8}" width="${width}" height="15"></rect>` +
        `<text x="${x}" y="${y + 3}" text-anchor="middle">${esc(text)}</text></g>`);
    }
  }
  svg.innerHTML = lines.join("") + labels.join("");
}

function render(scene) {
  latest = scene;
  document.body.dataset.receivedAt = String(scene.generated_at);
  if (paused) return;
  const focused = document.activeElement?.getAttribute("data-anchor");
  const names = anchorsOf(scene);
  renderSources(scene);
  renderLoadBalancers(scene);
  renderZones(scene);
  renderUnscheduled(scene);
  renderTargets(scene);
  renderPaths(scene, names);
  renderTimeline(scene);
  drawEdges(scene);
  document.body.dataset.generatedAt = String(scene.generated_at);
  if (focused) document.querySelector(`[data-anchor="${CSS.escape(focused)}"]`)?.focus();
}

function connect() {
  const status = document.getElementById("connection");
  const events = new EventSource("/api/stream");
  events.addEventListener("open", () => { status.textContent = "live"; });
  events.addEventListener("error", () => { status.textContent = "reconnecting…"; });
  events.addEventListener("scene", (message) => render(JSON.parse(message.data)));
}

document.addEventListener("DOMContentLoaded", () => {
  const pause = document.getElementById("pause");
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Resume updates" : "Pause updates";
    if (!paused && latest) render(latest);
  });
  window.addEventListener("resize", () => { if (latest && !paused) drawEdges(latest); });
  connect();
});
