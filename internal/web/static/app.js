// IRM progressive enhancement. Every page works without this script; with
// it, (1) what is typed in the questionnaire is kept on this device until
// it is saved, under a key of the person signed in, and forgotten when
// that person signs out, (2) "(required)" marks follow the answers as they
// change, using the server's own validation, (3) the error summary takes
// focus, (4) the development explorer runs operations, (5) a series of
// years too wide for the screen opens scrolled to its latest years.
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  var signOut = document.querySelector("form[data-drafts]");
  if (signOut) {
    signOut.addEventListener("submit", function () { forget(signOut.dataset.drafts); });
  }

  var form = document.getElementById("qform");
  if (form && !form.dataset.readonly) { questionnaire(form); counters(form); }
  if (form) { dateHints(form); }

  var explorer = document.getElementById("explorer");
  if (explorer) { explore(explorer); }

  // The latest years are the ones read first; in a right-to-left page
  // they are at the left end, where scrollLeft is negative.
  document.querySelectorAll(".table-wrap > table.series").forEach(function (t) {
    var w = t.parentElement;
    w.scrollLeft = (document.documentElement.dir === "rtl" ? -1 : 1) * w.scrollWidth;
  });

  function snapshot(f) {
    var out = {};
    new FormData(f).forEach(function (v, k) {
      if (k === "csrf" || k === "action" || typeof v !== "string") { return; }
      (out[k] = out[k] || []).push(v);
    });
    return out;
  }

  // forget removes the drafts kept under prefix (the person signing out),
  // and those kept before drafts were per person ("irm:…", whoever typed
  // them).
  function forget(prefix) {
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    if (!store || !prefix) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (k && (k.indexOf(prefix) === 0 || k.indexOf("irm:") === 0)) { store.removeItem(k); }
    }
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function questionnaire(f) {
    var key = f.dataset.key, store;
    try { store = window.localStorage; } catch (e) { store = null; }
    var initial = snapshot(f);
    if (store) {
      if (f.dataset.saved) { store.removeItem(key); }
      if (f.dataset.savedKey) { store.removeItem(f.dataset.savedKey); }
      var kept = null;
      try { kept = JSON.parse(store.getItem(key) || "null"); } catch (e) { kept = null; }
      if (kept && kept.values && !same(kept.values, initial)) {
        var box = document.getElementById("restore");
        box.hidden = false;
        document.getElementById("restore-yes").addEventListener("click", function () {
          restore(f, kept.values); box.hidden = true; check();
        });
        document.getElementById("restore-no").addEventListener("click", function () {
          store.removeItem(key); box.hidden = true;
        });
      }
    }
    var timer = null;
    function changed() {
      if (store) {
        var now = snapshot(f);
        if (same(now, initial)) { store.removeItem(key); } else {
          try { store.setItem(key, JSON.stringify({ at: new Date().toISOString(), values: now })); } catch (e) { /* full */ }
        }
      }
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    }
    f.addEventListener("input", changed);
    f.addEventListener("change", changed);

    function check() {
      var body = new URLSearchParams();
      new FormData(f).forEach(function (v, k) { if (typeof v === "string" && k !== "action") { body.append(k, v); } });
      fetch(f.dataset.requiredUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": f.elements.csrf.value },
        body: body
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (res) {
        if (!res) { return; }
        var req = {};
        res.required.forEach(function (p) { req[p] = true; });
        f.querySelectorAll(".field[data-path]").forEach(function (el) {
          var mark = el.querySelector(".req");
          if (mark && mark.closest(".field") === el) { mark.hidden = !req[el.dataset.path]; }
        });
        var prog = document.getElementById("progress");
        if (prog) {
          prog.textContent = res.progress;
        }
      }).catch(function () { /* offline: the marks update on the next save */ });
    }
  }

  // digits writes a count with the page language's digits (the server
  // gives them on <html data-digits>, as its own sentences write them).
  function digits(n) {
    var d = document.documentElement.dataset.digits;
    return d ? String(n).replace(/[0-9]/g, function (c) { return d.charAt(+c); }) : String(n);
  }

  // counters: a text with a limit shows how many characters it holds
  // ("1234 / 4000", counted as the server counts: characters, a line
  // break as one) and says when it is over; nothing is cut, the server
  // refuses a text over its limit and gives it back.
  function counters(f) {
    f.querySelectorAll("[data-limit]").forEach(function (el) {
      var field = el.closest(".field"), limit = +el.dataset.limit;
      var counter = field.querySelector(".limit .counter"), over = field.querySelector(".too-long");
      if (!counter || !over || !limit) { return; }
      // The server's own message, when it refused the text, says it once.
      var refused = field.querySelector(".error-message:not(.too-long)") !== null;
      function update() {
        var n = Array.from(el.value.replace(/\r\n/g, "\n")).length;
        counter.hidden = false;
        counter.textContent = "(" + digits(n) + " / " + digits(limit) + ")";
        over.hidden = n <= limit || refused;
        field.classList.toggle("over-limit", n > limit);
      }
      el.addEventListener("input", function () { refused = false; update(); });
      update();
    });
  }

  // dateHints: the format hint of a date field is for browsers that show
  // a plain text box instead of a date picker.
  function dateHints(f) {
    f.querySelectorAll("input[type=date]").forEach(function (el) {
      if (el.type !== "date") {
        var hint = el.closest(".field").querySelector(".date-hint");
        if (hint) { hint.hidden = false; }
      }
    });
    var probe = document.createElement("input");
    probe.setAttribute("type", "date");
    if (probe.type !== "date") {
      f.querySelectorAll(".date-hint").forEach(function (h) { h.hidden = false; });
    }
  }

  function restore(f, vals) {
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.name === "section" || el.name === "version" || el.type === "submit" || el.type === "hidden") { return; }
      var v = vals[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") { el.checked = v.indexOf(el.value) >= 0; }
      else { el.value = v.length ? v[0] : ""; }
      if (el.dataset.limit) { el.dispatchEvent(new Event("input")); }
    });
  }

  function explore(f) {
    var out = document.getElementById("gql-result");
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var vars, headers;
      try { vars = JSON.parse(document.getElementById("gql-vars").value || "{}"); }
      catch (e) { out.textContent = "Variables are not valid JSON: " + e.message; return; }
      try { headers = JSON.parse(document.getElementById("gql-headers").value || "{}"); }
      catch (e) { out.textContent = "Headers are not valid JSON: " + e.message; return; }
      headers["Content-Type"] = "application/json";
      out.textContent = "…";
      fetch("/graphql", { method: "POST", headers: headers, credentials: "omit",
        body: JSON.stringify({ query: document.getElementById("gql-query").value, variables: vars }) })
        .then(function (r) { return r.text(); })
        .then(function (t) { try { out.textContent = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { out.textContent = t; } })
        .catch(function (e) { out.textContent = "Request failed: " + e.message; });
    });
  }
})();
