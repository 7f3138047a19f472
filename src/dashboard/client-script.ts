/**
 * @module
 * The dashboard's browser script, framework-free. It reads the public JSON API with the token kept
 * in localStorage (sent as a bearer header, never in a URL), keeps the filters in the page URL, and
 * builds every element with textContent so that no stored value is ever parsed as HTML.
 */
export const DASHBOARD_SCRIPT = String.raw`"use strict";
(function () {
  var READ_KEY = "dora.readToken", ADMIN_KEY = "dora.adminToken";
  var DAY = 86400000;
  var METRICS = [
    { key: "deployment_frequency", better: "up", drill: "deployments counted" },
    { key: "change_lead_time", better: "down", drill: "lead-time samples" },
    { key: "change_failure_rate", better: "down", drill: "failed deployments" },
    { key: "failed_deployment_recovery_time", better: "down", drill: "failed deployments and their recovery" },
    { key: "time_to_restore_service", better: "down", drill: "incidents resolved" },
    { key: "deployment_rework_rate", better: "down", drill: "rollbacks and hotfixes" }
  ];
  var LEVEL_WORDS = { elite: "Elite", high: "High", medium: "Medium", low: "Low" };

  function $(sel, root) { return (root || document).querySelector(sel); }
  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) continue;
      if (k === "text") el.textContent = attrs[k];
      else if (k === "on") for (var ev in attrs.on) el.addEventListener(ev, attrs.on[ev]);
      else el.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      else el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return el;
  }
  function svg(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    return el;
  }
  function token(kind) {
    try { return localStorage.getItem(kind === "admin" ? ADMIN_KEY : READ_KEY) || ""; } catch (e) { return ""; }
  }
  function readToken() { return token("read") || token("admin"); }

  function api(method, path, body, useAdmin) {
    var t = useAdmin ? token("admin") : readToken();
    var init = { method: method, headers: { authorization: "Bearer " + t } };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: res.status, ok: res.ok, json: json };
      });
    });
  }
  function problem(r) {
    var errs = r.json && r.json.errors;
    return errs && errs.length ? errs.map(function (e) { return e.detail || e.title; }).join("; ") : "HTTP " + r.status;
  }

  // Dates and formatting.
  function iso(d) { return d.toISOString().slice(0, 10); }
  function addDays(day, n) { return iso(new Date(Date.parse(day + "T00:00:00Z") + n * DAY)); }
  function daysBetween(a, b) { return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / DAY); }
  function duration(s) {
    if (s === null || s === undefined) return "—";
    var a = Math.abs(s);
    if (a < 90) return Math.round(s) + " s";
    if (a < 5400) return (s / 60).toFixed(a < 600 ? 1 : 0) + " min";
    if (a < 172800) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " days";
  }
  function pct(r) { return r === null || r === undefined ? "—" : (r * 100).toFixed(1) + "%"; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many || one + "s"); }
  function when(t) { return t ? t.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—"; }
  function ago(t) {
    if (!t) return "—";
    var s = (Date.now() - Date.parse(t)) / 1000;
    return s < 0 ? when(t) : duration(s) + " ago";
  }

  // Filters, as the URL carries them.
  var form = $("#filters");
  function filters() {
    var p = new URLSearchParams(location.search);
    var f = {
      service: p.get("service") || "", team: p.get("team") || "", environment: p.get("environment") || "",
      window: p.get("window") || "30", from: p.get("from") || "", to: p.get("to") || "", benchmark: p.get("benchmark") === "2021" ? "2021" : "2023"
    };
    if (p.get("from") && !p.get("window")) f.window = "custom";
    return f;
  }
  function windowOf(f) {
    if (f.window === "custom" && /^\d{4}-\d{2}-\d{2}$/.test(f.from) && /^\d{4}-\d{2}-\d{2}$/.test(f.to) && f.from < f.to) return { from: f.from, to: f.to };
    var days = Number(f.window) > 0 ? Number(f.window) : 30;
    var to = addDays(iso(new Date()), 1);
    return { from: addDays(to, -days), to: to };
  }
  function query(f, w, extra) {
    var p = new URLSearchParams();
    if (f.service) p.set("service", f.service);
    if (f.team) p.set("team", f.team);
    if (f.environment) p.set("environment", f.environment);
    p.set("from", w.from); p.set("to", w.to); p.set("benchmark", f.benchmark);
    for (var k in extra || {}) if (extra[k] !== null && extra[k] !== undefined) p.set(k, extra[k]);
    return p.toString();
  }
  function fillForm(f) {
    ["service", "team", "environment", "window", "benchmark"].forEach(function (n) {
      var el = form.elements[n];
      if (el.tagName === "SELECT" && f[n] && !Array.prototype.some.call(el.options, function (o) { return o.value === f[n]; })) el.appendChild(h("option", { value: f[n], text: f[n] }));
      el.value = f[n];
    });
    var w = windowOf(f);
    form.elements.from.value = f.window === "custom" ? f.from : w.from;
    form.elements.to.value = f.window === "custom" ? f.to : w.to;
    form.classList.toggle("preset", form.elements.window.value !== "custom");
  }
  form.elements.window.addEventListener("change", function () { form.classList.toggle("preset", form.elements.window.value !== "custom"); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var p = new URLSearchParams();
    ["service", "team", "environment", "window", "benchmark"].forEach(function (n) {
      var v = form.elements[n].value.trim();
      if (n === "environment") v = v.split(",").map(function (s) { return s.trim(); }).filter(Boolean).join(",");
      if (v) p.set(n, v);
    });
    if (p.get("window") === "custom") { p.set("from", form.elements.from.value); p.set("to", form.elements.to.value); }
    history.pushState(null, "", location.pathname + "?" + p.toString());
    load();
  });
  window.addEventListener("popstate", load);

  // Tokens.
  [["read-token", READ_KEY], ["admin-token", ADMIN_KEY]].forEach(function (pair) {
    var input = document.getElementById(pair[0]);
    input.placeholder = token(pair[0] === "admin-token" ? "admin" : "read") ? "saved in this browser" : "";
    $("#" + pair[0] + "-form").addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.value.trim()) localStorage.setItem(pair[1], input.value.trim());
      input.value = "";
      input.placeholder = "saved in this browser";
      loadCatalog().then(load);
    });
    $("[data-forget=" + pair[0] + "]").addEventListener("click", function () {
      localStorage.removeItem(pair[1]);
      input.placeholder = "";
      load();
    });
  });

  var notice = $("#notice");
  function say(parts) { notice.replaceChildren.apply(notice, parts || []); }

  // Cards.
  function levelOf(m) { return m && m.level ? m.level : null; }
  function headline(key, m) {
    switch (key) {
      case "deployment_frequency": return { value: m.count === 0 ? "No deployments" : (m.per_day >= 1 ? m.per_day.toFixed(1) + " / day" : (m.per_day * 7).toFixed(1) + " / week"), counts: plural(m.count, "deployment") + " · " + plural(m.deploy_days, "deploy day") + " · median " + m.median_deploy_days_per_week + " deploy days a week" + (m.unsuccessful ? " · " + m.unsuccessful + " unsuccessful" : ""), n: m.count, metric: m.count };
      case "change_lead_time": return { value: m.samples ? duration(m.median_seconds) : "No samples", counts: "median of " + plural(m.samples, "commit") + (m.samples ? " · p90 " + duration(m.p90_seconds) : "") + (m.dropped ? " · " + m.dropped + " dropped" : ""), n: m.samples + m.dropped, metric: m.median_seconds };
      case "change_failure_rate": return { value: m.total ? pct(m.rate) : "No deployments", counts: m.failed + " of " + plural(m.total, "deployment") + " failed", n: m.failed, metric: m.rate };
      case "failed_deployment_recovery_time": return { value: m.samples ? duration(m.median_seconds) : "No recoveries", counts: plural(m.samples, "recovered deployment") + (m.samples ? " · p90 " + duration(m.p90_seconds) : "") + (m.unrecovered ? " · " + m.unrecovered + " not yet recovered" : ""), n: m.samples + m.unrecovered, metric: m.median_seconds };
      case "time_to_restore_service": return { value: m.samples ? duration(m.median_seconds) : "No incidents", counts: "median of " + plural(m.samples, "incident") + " resolved", n: m.samples, metric: m.median_seconds };
      case "deployment_rework_rate": return { value: m.total ? pct(m.rate) : "No deployments", counts: m.rework + " of " + plural(m.total, "deployment") + " were rollbacks or hotfixes", n: m.rework, metric: m.rate };
    }
  }
  function change(spec, now, before, days) {
    var a = headline(spec.key, now).metric, b = headline(spec.key, before).metric;
    if (a === null || b === null || a === undefined || b === undefined) return { text: "No previous " + days + " days to compare", cls: "" };
    var rate = spec.key === "change_failure_rate" || spec.key === "deployment_rework_rate";
    var diff = a - b;
    if (Math.abs(diff) < 1e-9) return { text: "Same as the previous " + days + " days", cls: "" };
    var up = diff > 0;
    var amount = rate ? Math.abs(diff * 100).toFixed(1) + " points" : b === 0 ? "from 0" : Math.abs(diff / b * 100).toFixed(0) + "%";
    var good = (spec.better === "up") === up;
    return { text: (up ? "▲ up " : "▼ down ") + amount + " vs the previous " + days + " days (" + (good ? "better" : "worse") + ")", cls: good ? "better" : "worse" };
  }
  function trendValue(key, m) {
    switch (key) {
      case "deployment_frequency": return m.count;
      case "change_lead_time": return m.median_seconds;
      case "change_failure_rate": return m.rate;
      case "failed_deployment_recovery_time": return m.median_seconds;
      case "time_to_restore_service": return m.median_seconds;
      case "deployment_rework_rate": return m.rate;
    }
  }
  function format(key, v) {
    if (v === null || v === undefined) return "no data";
    if (key === "deployment_frequency") return plural(v, "deployment");
    if (key === "change_failure_rate" || key === "deployment_rework_rate") return pct(v);
    return duration(v);
  }
  function chart(key, name, buckets) {
    var W = 300, H = 84, pad = 14, n = buckets.length;
    var values = buckets.map(function (b) { return trendValue(key, b[key]); });
    var max = Math.max.apply(null, values.map(function (v) { return v || 0; }).concat([0]));
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": name + ", week by week: " + buckets.map(function (b, i) { return b.start + " " + format(key, values[i]); }).join("; ") });
    root.appendChild(svg("line", { x1: 0, x2: W, y1: H - pad, y2: H - pad, class: "axis" }));
    var slot = W / Math.max(n, 1);
    buckets.forEach(function (b, i) {
      var v = values[i];
      var bh = v === null || v === undefined || max === 0 ? 0 : Math.max(1, (H - pad - 4) * v / max);
      var rect = svg("rect", { x: (i * slot + slot * 0.15).toFixed(1), y: (H - pad - bh).toFixed(1), width: (slot * 0.7).toFixed(1), height: bh.toFixed(1), class: "bar" });
      var title = svg("title", {});
      title.textContent = "Week of " + b.start + ": " + format(key, v);
      rect.appendChild(title);
      root.appendChild(rect);
    });
    [0, n - 1].forEach(function (i) {
      if (n === 0 || (i === n - 1 && n === 1 && i !== 0)) return;
      var t = svg("text", { x: i === 0 ? 0 : W, y: H - 2, "text-anchor": i === 0 ? "start" : "end" });
      t.textContent = buckets[i].start.slice(5);
      root.appendChild(t);
    });
    return root;
  }
  function renderCards(cur, prev, series, days) {
    METRICS.forEach(function (spec) {
      var card = document.getElementById("card-" + spec.key);
      var name = $("h2", card).textContent;
      var m = cur[spec.key];
      var hl = headline(spec.key, m);
      $("[data-part=value]", card).textContent = hl.value;
      $("[data-part=value]", card).className = "value";
      $("[data-part=counts]", card).textContent = hl.counts;
      var lv = $("[data-part=level]", card);
      var level = levelOf(m);
      lv.className = "level" + (level ? " level-" + level : "");
      lv.textContent = level ? "Level: " + LEVEL_WORDS[level] : spec.key === "deployment_rework_rate" ? "No DORA level" : "No level";
      var ch = change(spec, m, prev[spec.key], days);
      var chEl = $("[data-part=change]", card);
      chEl.textContent = ch.text;
      chEl.className = "change " + ch.cls;
      $("[data-part=chart]", card).replaceChildren(chart(spec.key, name, series));
      var btn = $("[data-part=drill]", card);
      btn.disabled = false;
      btn.textContent = "Show the " + spec.drill + " (" + hl.n + ")";
      btn.onclick = function () { openDrill(spec.key, name); };
    });
  }
  function clearCards(text) {
    METRICS.forEach(function (spec) {
      var card = document.getElementById("card-" + spec.key);
      $("[data-part=value]", card).textContent = text;
      $("[data-part=value]", card).className = "value pending";
      ["counts", "level", "change"].forEach(function (p) { $("[data-part=" + p + "]", card).textContent = ""; });
      $("[data-part=level]", card).className = "level";
      $("[data-part=chart]", card).replaceChildren();
      var btn = $("[data-part=drill]", card);
      btn.disabled = true;
      btn.textContent = "Show records";
    });
  }

  // Drill-down.
  var drill = { metric: null, cursor: null };
  var COLUMNS = {
    deployment_frequency: [["Deployed", function (r) { return when(r.at); }], ["Service", "service"], ["Environment", "environment"], ["Commits and lead time", function (r) { return list(r.commits.map(function (c) { return shortSha(c.sha) + (c.lead_seconds === null ? (c.repeated ? " (deployed before)" : " (no commit time)") : " · " + duration(c.lead_seconds)); })); }], ["Deployment", function (r) { return h("code", { text: r.id }); }]],
    change_lead_time: [["Commit", function (r) { return h("code", { text: shortSha(r.sha) }); }], ["Lead time", function (r) { return duration(r.lead_seconds) + (r.dropped ? " (dropped: commit after deploy)" : ""); }], ["Deployed", function (r) { return when(r.deployed_at); }], ["Service", "service"], ["Deployment", function (r) { return h("code", { text: r.deployment_id }); }]],
    change_failure_rate: [["Deployed", function (r) { return when(r.at); }], ["Service", "service"], ["Failed because of", failedBy], ["Recovered", recovery], ["Deployment", function (r) { return h("code", { text: r.id }); }]],
    failed_deployment_recovery_time: [["Deployed", function (r) { return when(r.at); }], ["Service", "service"], ["Recovered", recovery], ["Failed because of", failedBy], ["Deployment", function (r) { return h("code", { text: r.id }); }]],
    time_to_restore_service: [["Incident", function (r) { return r.title || r.id; }], ["Service", "service"], ["Opened", function (r) { return when(r.created_at); }], ["Restored in", function (r) { return duration(r.restore_seconds); }], ["Linked deployment", function (r) { return r.deployment_id ? h("span", {}, h("code", { text: r.deployment_id }), " (" + (r.linked_by === "explicit" ? "named by the incident" : "by time") + ")") : "not linked"; }]],
    deployment_rework_rate: [["Deployed", function (r) { return when(r.at); }], ["Service", "service"], ["Reason", function (r) { return r.reason === "hotfix" ? "hotfix" : "rollback" + (r.rollback_to.length ? " to " + r.rollback_to.map(function (x) { return shortSha(x.sha) + (x.deployed_before_by ? " (first shipped by " + x.deployed_before_by + ")" : ""); }).join(", ") : ""); }], ["Deployment", function (r) { return h("code", { text: r.id }); }]]
  };
  function shortSha(s) { return s && s.length > 12 ? s.slice(0, 10) : s; }
  function list(items) { return items.length ? h("ul", {}, items.map(function (t) { return h("li", { text: t }); })) : "none"; }
  function failedBy(r) {
    var items = r.incidents.map(function (i) { return "incident " + (i.title || i.id) + " (" + (i.linked_by === "explicit" ? "named this deployment" : "linked by time") + (i.resolved_at ? ", resolved " + when(i.resolved_at) : ", open") + ")"; });
    if (r.rolled_back_by) items.push("rolled back by " + r.rolled_back_by.id + " at " + when(r.rolled_back_by.at));
    return list(items);
  }
  function recovery(r) { return r.recovery_seconds === null ? "not yet" : duration(r.recovery_seconds) + " (" + when(r.recovered_at) + ")"; }
  function openDrill(metric, name) {
    drill = { metric: metric, cursor: null, name: name };
    var sec = $("#drill");
    sec.hidden = false;
    $("#drill-title").textContent = name + ": the records behind the number";
    $("#drill-table").replaceChildren(table(metric, []));
    $("#drill-summary").textContent = "Loading…";
    moreDrill().then(function () { sec.focus(); });
  }
  function table(metric, rows) {
    var cols = COLUMNS[metric];
    return h("table", {}, h("thead", {}, h("tr", {}, cols.map(function (c) { return h("th", { scope: "col", text: c[0] }); }))), h("tbody", {}, rows));
  }
  function moreDrill() {
    var f = filters(), w = windowOf(f);
    var extra = { limit: "100", cursor: drill.cursor };
    return api("GET", "/api/v1/metrics/" + drill.metric + "/records?" + query(f, w, extra)).then(function (r) {
      if (!r.ok) { $("#drill-summary").textContent = "Could not load the records: " + problem(r); return; }
      var body = $("#drill-table tbody");
      r.json.items.forEach(function (item) {
        body.appendChild(h("tr", {}, COLUMNS[drill.metric].map(function (c) {
          var v = typeof c[1] === "string" ? item[c[1]] : c[1](item);
          return h("td", {}, typeof v === "string" || typeof v === "number" ? String(v) : v);
        })));
      });
      drill.cursor = r.json.next_cursor;
      $("#drill-more").hidden = !drill.cursor;
      var n = body.children.length;
      $("#drill-summary").textContent = plural(n, "record") + " shown" + (drill.cursor ? "; more below" : "") + ", " + w.from + " to " + w.to + " (exclusive).";
    });
  }
  $("#drill-more").addEventListener("click", moreDrill);
  $("#drill-close").addEventListener("click", function () { $("#drill").hidden = true; $("#cards").focus(); });

  // Integrations (admin).
  var LEDGER = [["accepted", "accepted"], ["duplicate", "duplicates"], ["updated", "updates"], ["rejected_auth", "rejected: authentication"], ["rejected_validation", "rejected: validation"], ["rejected_rate_limit", "rejected: rate limit"], ["rejected_size", "rejected: size"]];
  function firstUrl(i) { var k = Object.keys(i.urls || {}); return k.length ? i.urls[k[0]] : ""; }
  function firstEventCurl(i) {
    var url = firstUrl(i);
    var now = new Date().toISOString();
    if (i.vendor === "generic") return "curl -X POST '" + i.urls.deployments + "' \\\n  -H 'authorization: Bearer $SECRET' -H 'content-type: application/json' \\\n  -d '{\"service\":\"checkout\",\"environment\":\"production\",\"finished_at\":\"" + now + "\",\"commit_sha\":\"abc123\"}'";
    if (i.vendor === "opslevel") return "curl -X POST '" + url + "' -H 'content-type: application/json' \\\n  -d '{\"service\":\"checkout\",\"deployer\":{\"name\":\"me\"},\"deployed_at\":\"" + now + "\",\"environment\":\"Production\",\"commit\":{\"sha\":\"abc123\"}}'";
    return "# Point your " + i.vendor + " webhook at " + url + " with this integration's secret.";
  }
  // A lane of the outbound queue in one line, shown only once it has carried something.
  function outboundLine(label, lane) {
    if (!lane) return null;
    var c = lane.counts;
    if (c.pending + c.forwarded + c.failed + c.dead === 0) return null;
    return h("p", { text: label + ": " + c.forwarded + " delivered, " + c.pending + " pending, " + c.failed + " failed, " + c.dead + " dead" });
  }
  function ledgerView(i, r) {
    if (r.status === 404) return h("p", { class: "muted", text: "Ledger unavailable: this server does not keep a delivery ledger yet." });
    if (!r.ok) return h("p", { text: "Could not load the ledger: " + problem(r) });
    var l = r.json;
    var rejected = l.rejected || [];
    return h("div", {},
      h("p", {}, "Last delivery: " + (l.last_delivery_at ? when(l.last_delivery_at) + " (" + ago(l.last_delivery_at) + ")" : "none yet") + " · Outbox: " + plural(l.outbox.pending, "event") + " pending" + (l.outbox.oldest_at ? ", oldest " + ago(l.outbox.oldest_at) : "")),
      h("ul", { class: "counts-list", "aria-label": "Deliveries by outcome" }, LEDGER.map(function (p) { return h("li", {}, h("strong", { text: String(l.counts[p[0]] || 0) }), " " + p[1]); })),
      outboundLine("Forwarded to " + (i.forward ? i.forward.url : "the previous tool"), l.forwarding),
      outboundLine("Pushes", l.pushes),
      rejected.length ? h("details", {}, h("summary", { text: "Last " + plural(rejected.length, "rejected delivery", "rejected deliveries") }),
        h("div", { class: "scroll" }, h("table", {},
          h("thead", {}, h("tr", {}, ["When", "Reason", "Status", "Our reply", "Body"].map(function (t) { return h("th", { scope: "col", text: t }); }))),
          h("tbody", {}, rejected.map(function (x) {
            return h("tr", {}, h("td", { text: when(x.at) }), h("td", { text: x.reason }), h("td", { text: String(x.status) }),
              h("td", {}, h("pre", { class: "reply", text: JSON.stringify(x.reply) })), h("td", {}, h("pre", { class: "reply", text: x.body === null ? "—" : x.body })));
          }))))) : h("p", { class: "muted", text: "No rejected deliveries." }));
  }
  function loadAdmin() {
    var sec = $("#admin");
    if (!token("admin")) { sec.hidden = true; $("#recompute").hidden = true; return Promise.resolve(); }
    sec.hidden = false;
    $("#recompute").hidden = false;
    return Promise.all([api("GET", "/api/v1/integrations", undefined, true), api("GET", "/api/v1/suggestions", undefined, true)]).then(function (rs) {
      var ints = rs[0], sug = rs[1];
      var box = $("#integrations");
      if (!ints.ok) { box.replaceChildren(h("p", { text: "Could not list integrations: " + problem(ints) })); return; }
      if (ints.json.items.length === 0) {
        box.replaceChildren(h("p", { text: "No integrations yet. Create one, then point your pipeline at its URL:" }),
          h("pre", { class: "reply", text: "curl -X POST '" + location.origin + "/api/v1/integrations' \\\n  -H 'authorization: Bearer $ADMIN_TOKEN' -H 'content-type: application/json' \\\n  -d '{\"vendor\":\"generic\",\"name\":\"my pipeline\"}'" }));
      } else {
        box.replaceChildren.apply(box, ints.json.items.map(function (i) {
          var slot = h("div", {}, h("p", { class: "muted", text: "Loading the ledger…" }));
          var howTo = h("details", { class: "first-event" }, h("summary", { text: "How to send a first event" }), h("pre", { class: "reply", text: firstEventCurl(i) }));
          api("GET", "/api/v1/integrations/" + encodeURIComponent(i.id) + "/deliveries", undefined, true).then(function (r) {
            slot.replaceChildren(ledgerView(i, r));
            if (r.ok && !r.json.last_delivery_at) { howTo.open = true; howTo.firstChild.textContent = "Nothing received yet. Send a first event:"; }
          });
          return h("article", { class: "integration", "aria-label": "Integration " + i.name },
            h("h3", { text: i.name + " (" + i.vendor + ")" }),
            h("p", { class: "muted" }, "Id ", h("code", { text: i.id }), " · URL ", h("code", { text: firstUrl(i) })), slot, howTo);
        }));
      }
      var sbox = $("#suggestions");
      if (!sug.ok) { sbox.replaceChildren(h("p", { text: "Could not list unknown services: " + problem(sug) })); return; }
      if (sug.json.items.length === 0) { sbox.replaceChildren(h("p", { class: "muted", text: "Every service name seen is in the catalog." })); return; }
      sbox.replaceChildren.apply(sbox, sug.json.items.map(suggestionRow));
    });
  }
  function slugOf(name) { return name.toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/[^a-z0-9_.-]+/g, "-").replace(/^[-_.]+|[-_.]+$/g, "").slice(0, 100) || "service"; }
  function suggestionRow(s) {
    var id = "sg-" + Math.random().toString(36).slice(2, 8);
    var slug = h("input", { id: id + "-slug", value: slugOf(s.kind === "repository" ? s.name.split("/").pop() : s.name) });
    var team = h("input", { id: id + "-team", placeholder: "optional" });
    var status = h("span", { role: "status" });
    var btn = h("button", { type: "button", text: "Add to catalog", "aria-label": "Add to catalog: " + s.name });
    btn.addEventListener("click", function () {
      var body = { name: s.kind === "repository" ? slug.value : s.name, team: team.value.trim() || null, aliases: s.kind === "name" ? [s.name] : [], repositories: s.kind === "repository" ? [s.name] : [] };
      btn.disabled = true;
      api("PUT", "/api/v1/services/" + encodeURIComponent(slug.value.trim()), body, true).then(function (r) {
        btn.disabled = false;
        status.textContent = r.ok ? "Added as " + r.json.slug + "; the next recompute attributes its events." : "Not added: " + problem(r);
      });
    });
    return h("div", { class: "suggestion" },
      h("p", {}, h("strong", { text: s.name }), " " + (s.kind === "repository" ? "repository" : "name") + " · " + plural(s.count, "event") + " · last seen " + when(s.last_seen_at)),
      h("label", { for: slug.id }, "Slug", h("span", { class: "visually-hidden", text: " for " + s.name }), slug),
      h("label", { for: team.id }, "Team", h("span", { class: "visually-hidden", text: " for " + s.name }), team), btn, status);
  }
  $("#recompute").addEventListener("click", function () {
    var b = $("#recompute");
    b.disabled = true;
    $("#as-of").textContent = "Recomputing…";
    api("POST", "/api/v1/recompute", undefined, true).then(function (r) {
      b.disabled = false;
      if (!r.ok) { $("#as-of").textContent = "Recompute failed: " + problem(r); return; }
      load();
    });
  });

  // Services and teams for the filters.
  function loadCatalog() {
    return api("GET", "/api/v1/services").then(function (r) {
      if (!r.ok) return;
      var f = filters();
      var services = form.elements.service, teams = form.elements.team;
      services.replaceChildren(h("option", { value: "", text: "All services" }));
      teams.replaceChildren(h("option", { value: "", text: "All teams" }));
      var seen = {};
      r.json.items.forEach(function (s) {
        services.appendChild(h("option", { value: s.slug, text: s.name === s.slug ? s.slug : s.name + " (" + s.slug + ")" }));
        if (s.team && !seen[s.team]) { seen[s.team] = true; teams.appendChild(h("option", { value: s.team, text: s.team })); }
      });
      fillForm(f);
    });
  }

  var loading = 0;
  function load() {
    var f = filters();
    fillForm(f);
    var ticket = ++loading;
    if (!readToken()) {
      clearCards("Needs a read token");
      $("#as-of").textContent = "Not signed in";
      say([h("p", { text: "Enter a read token above to see the metrics. An admin creates one with:" }),
        h("pre", { text: "curl -X POST '" + location.origin + "/api/v1/tokens' -H 'authorization: Bearer $ADMIN_TOKEN' \\\n  -H 'content-type: application/json' -d '{\"name\":\"dashboard\"}'" })]);
      return loadAdmin();
    }
    var w = windowOf(f), days = daysBetween(w.from, w.to);
    var prevW = { from: addDays(w.from, -days), to: w.from };
    var trendW = { from: days >= 84 ? w.from : addDays(w.to, -84), to: w.to };
    $("#as-of").textContent = "Loading…";
    return Promise.all([
      api("GET", "/api/v1/metrics?" + query(f, w)),
      api("GET", "/api/v1/metrics?" + query(f, prevW)),
      api("GET", "/api/v1/metrics/timeseries?" + query(f, trendW, { granularity: "week" }))
    ]).then(function (rs) {
      if (ticket !== loading) return;
      var bad = rs.filter(function (r) { return !r.ok; })[0];
      if (bad) {
        clearCards("Unavailable");
        $("#as-of").textContent = "Could not load the metrics";
        say([h("p", { text: (bad.status === 401 ? "This token was not accepted: " : "The metrics could not be loaded: ") + problem(bad) })]);
        return;
      }
      var cur = rs[0].json;
      if (!cur.as_of) {
        clearCards("No recompute yet");
        $("#as-of").textContent = "No recompute yet";
        say([h("p", { text: "The metrics have not been computed yet. They are computed within 15 minutes of the first events arriving, every night, or now with “Recompute now” (admin token). Until then there is nothing to show, rather than zeros." })]);
      } else {
        say([]);
        $("#as-of").textContent = "Numbers as of " + when(cur.as_of) + " · " + cur.window.from + " to " + cur.window.to + " (exclusive) · " + (cur.filters.environment || "production");
        renderCards(cur, rs[1].json, rs[2].json.buckets, days);
        if (cur.deployment_frequency.count === 0 && !cur.filters.service && !cur.filters.team) say([h("p", { text: "No deployments in this window. If this is a new install, send a first event: the admin view below shows the command for each integration." })]);
      }
      if ($("#drill").hidden === false && drill.metric) openDrill(drill.metric, drill.name);
    }).then(loadAdmin);
  }

  loadCatalog().then(load);
})();
`;
