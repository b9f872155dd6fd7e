// rastro — behaviour of the Fluxo Ágil, IVR and Agentes pages. Progressive
// enhancement only: every page works without it (the server renders the
// cascading options, the checkbox lists submit as they are, the tables come
// sorted). Loaded on every page; does nothing where its elements are absent.
(function () {
  "use strict";

  // ---- Cascading selects (Cliente → Campanha → Lote) -----------------------
  // A <select data-source=URL data-parent=ID data-param=NAME> is refilled
  // from URL?NAME=<parent value> whenever its parent changes, then fires its
  // own change so its children follow. With the parent on "all", the child
  // keeps the options whose parent is one of the parent's options.
  function setupCascade(child) {
    var parent = document.getElementById(child.dataset.parent);
    if (!parent) return;
    var seq = 0;
    parent.addEventListener("change", function () {
      var my = ++seq;
      // Nothing chosen above the parent either (no client, no campaign):
      // the child lists nothing, rather than every batch of the tenant.
      var grand = parent.dataset.parent && document.getElementById(parent.dataset.parent);
      if (parent.value === "" && grand && grand.value === "") {
        fill(child, []);
        child.dispatchEvent(new Event("change", { bubbles: true }));
        return;
      }
      var url = child.dataset.source + "?" + encodeURIComponent(child.dataset.param) + "=" + encodeURIComponent(parent.value);
      child.disabled = true;
      child.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (list) {
          if (my !== seq) return;
          list = list || [];
          if (parent.value === "") {
            var allowed = {};
            var any = false;
            Array.prototype.forEach.call(parent.options, function (o) {
              if (o.value !== "") { allowed[o.value] = true; any = true; }
            });
            if (any && parent.dataset.parent) {
              list = list.filter(function (o) { return allowed[o.parent]; });
            }
          }
          fill(child, list);
        })
        .catch(function () {
          if (my !== seq) return;
          // Keep the page usable: the server validates the cascade anyway.
          child.value = "";
        })
        .finally(function () {
          if (my !== seq) return;
          child.disabled = false;
          child.removeAttribute("aria-busy");
          child.dispatchEvent(new Event("change", { bubbles: true }));
        });
    });
  }

  function fill(sel, list) {
    var keep = sel.value;
    var first = sel.options[0] && sel.options[0].value === "" ? sel.options[0] : null;
    while (sel.options.length) sel.remove(0);
    if (first) sel.add(first);
    var found = false;
    list.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o.id;
      opt.textContent = o.label || o.id;
      if (o.parent) opt.dataset.parent = o.parent;
      if (o.id === keep) { opt.selected = true; found = true; }
      sel.add(opt);
    });
    if (!found) sel.value = "";
  }

  // ---- Checkbox drop-downs ------------------------------------------------
  function setupMultiSelect(d) {
    var summary = d.querySelector(".rpt-ms-summary");
    var boxes = d.querySelectorAll("input[type=checkbox]");
    function update() {
      var picked = [];
      boxes.forEach(function (b) {
        if (b.checked) picked.push(b.parentElement.textContent.trim());
      });
      d.classList.toggle("rpt-has-sel", picked.length > 0);
      if (!summary) return;
      if (picked.length === 0) summary.textContent = d.dataset.none || "";
      else if (picked.length === 1) summary.textContent = picked[0];
      else summary.textContent = picked.length + " " + (d.dataset.many || "");
    }
    d.addEventListener("change", update);
    update();
    // A type-to-filter box for long lists.
    var panel = d.querySelector(".rpt-ms-panel");
    if (panel && boxes.length > 8) {
      var input = document.createElement("input");
      input.type = "search";
      input.className = "rpt-ms-filter";
      var en = document.documentElement.lang === "en";
      input.setAttribute("aria-label", en ? "Filter the list" : "Filtrar a lista");
      input.placeholder = en ? "Filter…" : "Filtrar…";
      input.addEventListener("input", function () {
        var q = fold(input.value);
        panel.querySelectorAll(".rpt-ms-opt").forEach(function (l) {
          l.hidden = q !== "" && fold(l.textContent).indexOf(q) < 0;
        });
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter") e.preventDefault();
      });
      panel.insertBefore(input, panel.firstChild);
    }
    d.addEventListener("toggle", function () {
      if (!d.open) return;
      document.querySelectorAll("details.rpt-ms[open]").forEach(function (o) {
        if (o !== d) o.open = false;
      });
    });
  }

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.rpt-ms[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.rpt-ms[open]").forEach(function (d) {
      d.open = false;
      var s = d.querySelector("summary");
      if (s) s.focus();
    });
  });

  // ---- Client-side sorting of aggregate tables (totals stay last) ----------
  function sortKey(text) {
    var t = text.trim();
    if (t === "") return null;
    var m = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(t);
    if (m) return +m[1] * 3600 + +m[2] * 60 + +m[3];
    if (/^-?[\d.]+(,\d+)?%?$/.test(t)) {
      return parseFloat(t.replace(/%$/, "").replace(/\.(?=\d{3}(\D|$))/g, "").replace(",", "."));
    }
    return t;
  }

  function compare(a, b) {
    if (a === null && b === null) return 0;
    if (a === null) return 1; // empty cells last
    if (b === null) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "pt-BR", { numeric: true, sensitivity: "base" });
  }

  function setupSortable(table) {
    var tbody = table.tBodies[0];
    if (!tbody || !table.tHead) return;
    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, col) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "rpt-sort";
      while (th.firstChild) btn.appendChild(th.firstChild);
      th.appendChild(btn);
      btn.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(ths, function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var rows = Array.prototype.slice.call(tbody.rows);
        var keyed = rows.map(function (r, i) {
          return { r: r, i: i, k: sortKey(r.cells[col] ? r.cells[col].textContent : "") };
        });
        keyed.sort(function (a, b) {
          var c = compare(a.k, b.k);
          if (a.k !== null && b.k !== null && dir === "descending") c = -c;
          return c || a.i - b.i;
        });
        keyed.forEach(function (x) { tbody.appendChild(x.r); });
      });
    });
  }

  function init() {
    document.querySelectorAll("select[data-source][data-parent]").forEach(setupCascade);
    document.querySelectorAll("details.rpt-ms").forEach(setupMultiSelect);
    document.querySelectorAll("table[data-sortable]").forEach(setupSortable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
