// kitsune's web UI: every view is the REST API (/api/v1) called with the
// logged-in user's credentials; the gateway decides what they may see.
"use strict";

const api = "/api/v1";
const state = { auth: sessionStorage.getItem("kitsune.auth"), user: sessionStorage.getItem("kitsune.user"), admin: false,
  session: sessionStorage.getItem("kitsune.session"), history: [] };
const $ = (id) => document.getElementById(id);

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.auth) headers.Authorization = state.auth;
  const resp = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "include" });
  const text = await resp.text();
  let data = text;
  try { data = JSON.parse(text); } catch (e) { /* text answers (ping, admin) */ }
  if (!resp.ok) throw new Error((data && data.message) || ("HTTP " + resp.status));
  return data;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

function table(caption, headers, rows) {
  return el("table", {}, el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => c instanceof Node ? el("td", {}, c) : el("td", {}, c))))));
}

function say(msg, error) {
  const s = $("status");
  s.textContent = msg || "";
  s.className = error ? "error" : "";
}

const ago = (ms) => ms ? Math.round((Date.now() - ms) / 1000) + " s" : "";
const button = (label, fn) => el("button", { type: "button", onclick: async () => { try { await fn(); say(label + ": done"); route(); } catch (e) { say(e.message, true); } } }, label);

async function login(auth, user) {
  state.auth = auth;
  state.user = user;
  await call("GET", "/sessions/count");
  try { await call("GET", "/admin/server"); state.admin = true; } catch (e) { state.admin = false; }
  sessionStorage.setItem("kitsune.auth", auth || "");
  sessionStorage.setItem("kitsune.user", user);
  $("login").hidden = true;
  $("nav").hidden = false;
  document.querySelectorAll(".admin").forEach((a) => { a.hidden = !state.admin; });
  $("who").textContent = user + (state.admin ? " (administrator)" : "");
  if (!location.hash) location.hash = "#overview"; else route();
}

const pages = {
  async overview() {
    const count = await call("GET", "/sessions/count");
    const engines = await call("GET", "/admin/engine");
    const batches = await call("GET", "/batches?size=1000");
    const ops = await operations();
    state.history.push(count.openSessionCount);
    if (state.history.length > 30) state.history.shift();
    const cards = [["Sessions", count.openSessionCount], ["Operations", ops.length], ["Engines", engines.length],
      ["Batches running", batches.batches.filter((b) => b.state === "RUNNING").length]];
    if (state.admin) cards.unshift(["Servers", (await call("GET", "/admin/server")).length]);
    return [el("h2", {}, "Overview"),
      el("div", { class: "cards" }, ...cards.map(([k, v]) => el("div", { class: "card" }, el("div", {}, k), el("div", { class: "n" }, v)))),
      el("h3", {}, "Open sessions, last samples"), sparkline(state.history)];
  },
  async sessions() {
    const list = await call("GET", state.admin ? "/admin/sessions" : "/sessions");
    const filter = el("input", { id: "session-filter", "aria-label": "Filter sessions by user", placeholder: "user" });
    const body = el("div", {});
    const draw = () => {
      body.replaceChildren(table("Sessions", ["Session", "User", "Client", "Engine", "Age", "Operations", ""],
        list.filter((s) => !filter.value || s.user.includes(filter.value)).map((s) => [s.identifier, s.user, s.ipAddr, s.engineId, ago(s.createTime),
          s.totalOperations, button("Close", () => call("DELETE", (state.admin ? "/admin/sessions/" : "/sessions/") + s.identifier))])));
    };
    filter.addEventListener("input", draw);
    draw();
    return [el("h2", {}, "Sessions"), filter, body];
  },
  async operations() {
    const ops = await operations();
    return [el("h2", {}, "Operations"), table("Operations", ["Operation", "User", "State", "Duration", "Statement", "", ""],
      ops.map((o) => [o.identifier, o.sessionUser, el("span", { class: "state-" + o.state }, o.state),
        o.completeTime ? ((o.completeTime - o.startTime) / 1000).toFixed(1) + " s" : ago(o.createTime), el("span", { class: "stmt" }, o.statement),
        button("Cancel", () => call("PUT", "/operations/" + o.identifier, { action: "cancel" })),
        button("Log", async () => say((await call("GET", "/operations/" + o.identifier + "/log")).logRowSet.join("\n") || "(no log)"))]))];
  },
  async engines() {
    const list = await call("GET", "/admin/engine");
    const q = (e) => "?type=" + e.engineType + "&sharelevel=" + e.sharelevel + "&subdomain=" + encodeURIComponent(e.subdomain) +
      (state.admin ? "&proxyUser=" + encodeURIComponent(e.user) : "");
    return [el("h2", {}, "Engines"), table("Engines", ["Engine", "Type", "Share level", "User", "Subdomain", "Address", "", ""],
      list.map((e) => [e.attributes["kyuubi.engine.id"], e.engineType, e.sharelevel, e.user, e.subdomain, e.instance,
        button("Delete", () => call("DELETE", "/admin/engine" + q(e))), button("Kill", () => call("DELETE", "/admin/engine" + q(e) + "&kill=true"))]))];
  },
  async servers() {
    const list = await call("GET", "/admin/server");
    return [el("h2", {}, "Servers"), table("Gateways", ["Node", "Host", "Port", "Version", "Status"],
      list.map((s) => [s.nodeName, s.host, s.port, s.attributes.version, s.status]))];
  },
  async batches() {
    const filter = el("select", { id: "batch-state", "aria-label": "Batch state" }, ...["", "PENDING", "RUNNING", "FINISHED", "ERROR", "CANCELED"].map((s) => el("option", { value: s }, s || "any state")));
    const body = el("div", {});
    const draw = async () => {
      const page = await call("GET", "/batches?desc=true&size=100" + (filter.value ? "&batchState=" + filter.value : ""));
      body.replaceChildren(table("Batches", ["Batch", "User", "Name", "State", "Application", "App state", "Diagnostic", "", ""],
        page.batches.map((b) => [b.id, b.user, b.name, el("span", { class: "state-" + b.state }, b.state), b.appUrl ? el("a", { href: b.appUrl }, b.appId) : b.appId,
          b.appState, b.appDiagnostic, button("Log", async () => say((await call("GET", "/batches/" + b.id + "/localLog?size=20")).logRowSet.join("\n"))),
          button("Cancel", () => call("DELETE", "/batches/" + b.id))])));
    };
    filter.addEventListener("change", () => draw().catch((e) => say(e.message, true)));
    await draw();
    return [el("h2", {}, "Batches"), filter, body];
  },
  async sql() {
    const text = el("textarea", { id: "sql-text", "aria-label": "SQL statement" }, sessionStorage.getItem("kitsune.sql") || "SELECT 1");
    const out = el("div", { id: "sql-result", "aria-live": "polite" });
    const run = el("button", { type: "button", id: "sql-run", onclick: () => runSQL(text.value, out) }, "Run");
    return [el("h2", {}, "SQL editor"), el("p", {}, "Runs as " + state.user + " in a session of its own."), text, el("div", {}, run), out];
  },
};

// operations are the caller's open operations (an administrator's: all).
async function operations() {
  if (state.admin) return call("GET", "/admin/operations");
  const out = [];
  for (const s of await call("GET", "/sessions")) out.push(...await call("GET", "/sessions/" + s.identifier + "/operations"));
  return out;
}

function sparkline(values) {
  const w = 240, h = 40, max = Math.max(1, ...values);
  const pts = values.map((v, i) => (i * w / Math.max(1, values.length - 1)).toFixed(1) + "," + (h - v * h / max).toFixed(1)).join(" ");
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "open sessions: " + values.join(", "));
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", pts); line.setAttribute("fill", "none"); line.setAttribute("stroke", "#8a2d0b"); line.setAttribute("stroke-width", "2");
  svg.append(line);
  return svg;
}

async function runSQL(sql, out) {
  sessionStorage.setItem("kitsune.sql", sql);
  out.replaceChildren(el("p", {}, "Running…"));
  try {
    if (!state.session) {
      state.session = (await call("POST", "/sessions", { configs: {} })).identifier;
      sessionStorage.setItem("kitsune.session", state.session);
    }
    let op;
    try {
      op = await call("POST", "/sessions/" + state.session + "/operations/statement", { statement: sql, runAsync: true });
    } catch (e) { // the session was closed meanwhile: open another
      state.session = (await call("POST", "/sessions", { configs: {} })).identifier;
      sessionStorage.setItem("kitsune.session", state.session);
      op = await call("POST", "/sessions/" + state.session + "/operations/statement", { statement: sql, runAsync: true });
    }
    let ev;
    for (;;) {
      ev = await call("GET", "/operations/" + op.identifier + "/event");
      out.replaceChildren(el("p", { id: "sql-state" }, "State: " + ev.state));
      if (!["INITIALIZED", "PENDING", "RUNNING", "UNKNOWN"].includes(ev.state)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const log = await call("GET", "/operations/" + op.identifier + "/log");
    if (ev.state !== "FINISHED") {
      out.append(el("p", { class: "error" }, (ev.exception && ev.exception.message) || ev.state));
      return;
    }
    const md = await call("GET", "/operations/" + op.identifier + "/resultsetmetadata");
    const rows = await call("GET", "/operations/" + op.identifier + "/rowset?maxrows=1000");
    out.append(table("Result", md.columns.map((c) => c.columnName + " (" + c.dataType + ")"),
      rows.rows.map((r) => r.fields.map((f) => f.value === null ? "NULL" : f.value))));
    if (log.logRowSet.length) out.append(el("h3", {}, "Log"), el("pre", {}, log.logRowSet.join("\n")));
    await call("PUT", "/operations/" + op.identifier, { action: "close" });
  } catch (e) {
    out.append(el("p", { class: "error" }, e.message));
  }
}

async function route() {
  const name = (location.hash || "#overview").slice(1);
  document.querySelectorAll("nav a").forEach((a) => a.setAttribute("aria-current", a.getAttribute("href") === "#" + name ? "page" : "false"));
  const page = pages[name] || pages.overview;
  try {
    say("");
    $("page").replaceChildren(...await page());
    document.body.dataset.page = name;
  } catch (e) {
    say(e.message, true);
  }
}

window.addEventListener("hashchange", route);
$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const user = $("user").value, pass = $("password").value;
  login("Basic " + btoa(user + ":" + pass), user).catch((e) => say(e.message, true));
});
$("kerberos-button").addEventListener("click", () => login(null, "Kerberos user").catch((e) => say(e.message, true)));
if (state.auth) login(state.auth, state.user).catch(() => { $("login").hidden = false; });
