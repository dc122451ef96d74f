// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  document.body.classList.add("has-js");

  // "Select all roles" on the new-assessment page.
  document.querySelectorAll("[data-check-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var boxes = document.querySelectorAll('input[name="' + button.dataset.checkAll + '"]');
      var allChecked = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !allChecked; });
    });
  });

  // Confirmation before destructive buttons.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // Invitation links: select the whole link on focus, ready to copy.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // The result's role menu (on a phone) opens the chosen role at its heading, as the
  // pills do; without scripts the form opens it at the top of the page.
  document.querySelectorAll("form[data-role-picker]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var code = form.elements.role.value;
      event.preventDefault();
      window.location.href = "?role=" + encodeURIComponent(code) + (code === "all" ? "" : "#role-" + code);
    });
  });

  // Print button on the result page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Submit buttons that must only fire once (the server is idempotent too).
  document.querySelectorAll("form button[data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // Autosave ([data-autosave]: a question of the questionnaire, a row of the manager's
  // review) when the network or the server fails (no answer, 5xx, 503 while the
  // database is away): say "not saved" in the page's language and try again, waiting
  // 1, 2, 4... up to 30 s. "Saved" only ever comes from the server's own answer; the
  // page's buttons still save everything.
  var retries = new WeakMap();
  function autosaveFailed(event, text) {
    var elt = event.detail.elt;
    var target = event.detail.target;
    if (!elt || !elt.matches || !elt.matches("[data-autosave]")) { return; }
    if (target) {
      target.textContent = "";
      var span = document.createElement("span");
      span.className = "text-danger";
      span.textContent = "⚠ " + (text(target) || "");
      target.appendChild(span);
    }
    var state = retries.get(elt) || { attempt: 0, timer: null };
    if (state.timer) { window.clearTimeout(state.timer); }
    var delay = Math.min(30000, 1000 * Math.pow(2, state.attempt));
    state.attempt += 1;
    state.timer = window.setTimeout(function () {
      state.timer = null;
      window.htmx.trigger(elt, "autosave-retry");
    }, delay);
    retries.set(elt, state);
  }
  document.body.addEventListener("htmx:sendError", function (event) {
    autosaveFailed(event, function (t) { return t.dataset.offline; });
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 500) {
      autosaveFailed(event, function (t) { return t.dataset.retrying; });
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var state = retries.get(event.detail.elt);
    if (state && xhr && xhr.status > 0 && xhr.status < 500) {
      if (state.timer) { window.clearTimeout(state.timer); }
      retries.delete(event.detail.elt);
    }
  });

  // Unsaved changes (form[data-unsaved-warning]): a row changed and the server has not
  // answered "saved" for it since (no answer yet, a failure, a refusal): leaving the page
  // asks first, and the action bar says so. Submitting the form saves it all: no warning.
  // form.dataset.unsaved holds how many rows wait.
  document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
    var rows = new Map();
    var summary = form.querySelector("[data-save-summary]");
    var submitting = false;
    function pending() {
      var n = 0;
      rows.forEach(function (state) { if (state.saved < state.edits) { n += 1; } });
      return n;
    }
    function show() {
      var n = pending();
      form.dataset.unsaved = String(n);
      if (summary && summary.dataset.unsaved) {
        summary.textContent = n ? summary.dataset.unsaved : summary.dataset.saved;
      }
    }
    function edited(event) {
      var row = event.target.closest && event.target.closest("[data-autosave]");
      if (!row || !form.contains(row)) { return; }
      var state = rows.get(row) || { edits: 0, sent: 0, saved: 0 };
      state.edits += 1;
      rows.set(row, state);
      show();
    }
    // Capture: counted before htmx, listening on the row, sends the change.
    form.addEventListener("input", edited, true);
    form.addEventListener("change", edited, true);
    form.addEventListener("htmx:beforeRequest", function (event) {
      var state = rows.get(event.detail.elt);
      if (state) { state.sent = state.edits; }
      // A "saved" shown for the row's previous change no longer holds: say it is on its way.
      var target = event.detail.target;
      if (target && target.dataset.saving && !target.querySelector(".alert")) {
        target.textContent = "";
        var span = document.createElement("span");
        span.className = "review-saving";
        span.textContent = target.dataset.saving;
        target.appendChild(span);
      }
    });
    form.addEventListener("htmx:afterRequest", function (event) {
      var row = event.detail.elt;
      var state = rows.get(row);
      var xhr = event.detail.xhr;
      if (!state || !xhr || xhr.status !== 200) { show(); return; }
      state.saved = Math.max(state.saved, state.sent);
      // Changed again while its save was on the way: send the row as it is now.
      if (state.saved < state.edits) { window.htmx.trigger(row, "autosave-retry"); }
      show();
    });
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !pending()) { return; }
      event.preventDefault();
      event.returnValue = "";
    });
    if (summary && summary.dataset.hint) { summary.textContent = summary.dataset.hint; }
    form.dataset.unsaved = "0";
  });

  // Names from people and the catalogue, drawn on a canvas where no <bdi> can go:
  // between the Unicode isolate marks (FSI, PDI), a right-to-left override inside a name
  // cannot reorder what follows it. Shortened by characters, not UTF-16 units, so that
  // no emoji is cut in half; the ellipsis stays outside the isolate.
  function isolated(text, maxLength) {
    var chars = Array.from(text || "");
    var cut = maxLength && chars.length > maxLength;
    return "\u2068" + (cut ? chars.slice(0, maxLength - 1).join("") : text) + "\u2069" + (cut ? "…" : "");
  }

  // Fit over time on "My assessments": one line per role, from a json_script block; the
  // table beside it holds the same figures.
  if (window.Chart) {
    var lang = document.documentElement.lang || "fr";
    var percent = function (value) {
      return value.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + "\u00a0%";
    };
    // Colour and shape both tell the roles apart.
    var palette = ["#1f5fa8", "#d9822b", "#2e7d4f", "#8e44ad", "#b3261e", "#00838f", "#6d4c41", "#546e7a"];
    var shapes = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded", "cross"];
    document.querySelectorAll("canvas[data-history]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.history);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      // A quick (provisional) result: its points hollow, the segments to it dashed; the
      // caption under the chart and the badge in the table say what that means.
      var provisional = data.provisional || [];
      var hollow = function (colour) {
        return function (ctx) { return provisional[ctx.dataIndex] ? "#fff" : colour; };
      };
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (s, i) {
            var colour = palette[i % palette.length];
            // A role left out of a result: the line goes on, dashed, with no point there.
            return { label: s.name.indexOf(s.code) === -1 ? isolated(s.name, 40) + " (" + s.code + ")" : isolated(s.name, 40),
                     data: s.data, borderColor: colour, backgroundColor: colour,
                     pointBackgroundColor: hollow(colour), pointBorderWidth: 2,
                     pointStyle: shapes[i % shapes.length], pointRadius: 4, pointHoverRadius: 6,
                     borderWidth: 2, spanGaps: true, tension: 0, clip: false,
                     segment: { borderDash: function (ctx) {
                       return ctx.p0.skip || ctx.p1.skip || provisional[ctx.p0DataIndex] || provisional[ctx.p1DataIndex] ? [5, 5] : undefined; } } };
          })
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { min: 0, max: 100, ticks: { stepSize: 20, callback: function (v) { return v + "\u00a0%"; } } } },
          plugins: { legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
                     tooltip: { callbacks: { label: function (item) {
                       return item.dataset.label + ": " + percent(item.parsed.y); } } } }
        }
      });
    });
  }
  // ---- heatmap (team dashboard) ----
  // The filters apply on change (their "Filter" button does the same without JavaScript).
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
    form.addEventListener("change", function () {
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    });
  });
  // The scroll cue: .is-overflowing while the table is wider than its box, .at-end once
  // scrolled to its right edge (the shadow then goes).
  document.querySelectorAll("[data-heat-scroll]").forEach(function (scroll) {
    var wide = scroll.closest(".heat-wide");
    var box = scroll.querySelector(".heatmap-box");
    if (!wide || !box) { return; }
    function update() {
      var overflowing = box.scrollWidth - box.clientWidth > 2;
      wide.classList.toggle("is-overflowing", overflowing);
      wide.classList.toggle("at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 2);
    }
    box.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  });
  // Full skill and category names in a tooltip on hover and on keyboard focus (their
  // title attribute does it on hover without JavaScript).
  var tip = null;
  var tipFor = null;
  function showTip(target) {
    tipFor = target;
    var text = target.dataset.full;
    if (!text) { return; }
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "heatmap-tip";
      tip.setAttribute("role", "tooltip");
      tip.id = "heatmap-tip";
      document.body.appendChild(tip);
    }
    tip.textContent = isolated(text);
    tip.hidden = false;
    var box = target.getBoundingClientRect();
    var left = Math.max(4, Math.min(box.left, window.innerWidth - tip.offsetWidth - 4));
    var top = box.bottom + 4;
    if (top + tip.offsetHeight > window.innerHeight) { top = Math.max(4, box.top - tip.offsetHeight - 4); }
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    target.setAttribute("aria-describedby", "heatmap-tip");
  }
  function hideTip(target) {
    if (tip) { tip.hidden = true; }
    tipFor = null;
    target.removeAttribute("aria-describedby");
  }
  document.querySelectorAll(".heatmap .skill-name, .heatmap .cat-name[title]").forEach(function (name) {
    name.dataset.full = name.dataset.full || name.title;
    name.removeAttribute("title");
    ["mouseenter", "focus"].forEach(function (type) {
      name.addEventListener(type, function () { showTip(name); });
    });
    ["mouseleave", "blur"].forEach(function (type) {
      name.addEventListener(type, function () { hideTip(name); });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && tip) { tip.hidden = true; }
  });
  document.querySelectorAll(".heatmap-box").forEach(function (box) {
    // Scrolling moves the name: the tooltip follows it while it has the focus.
    box.addEventListener("scroll", function () {
      if (!tip || !tipFor) { return; }
      if (tipFor === document.activeElement) { showTip(tipFor); } else { hideTip(tipFor); }
    }, { passive: true });
  });
  // A cell's tooltip, "level L, target T", from its class (cLT: templatetags/heatmap.py)
  // and the table's data-cell-title, set on first hover.
  document.querySelectorAll(".heatmap[data-cell-title]").forEach(function (table) {
    var words = table.dataset.cellTitle;
    table.addEventListener("mouseover", function (event) {
      var cell = event.target.closest("td");
      var match = cell && !cell.title && /^c(\d)(\d)$/.exec(cell.className);
      if (match) { cell.title = words.replace("%(used)s", match[1]).replace("%(target)s", match[2]); }
    });
  });
  // The small screens' cards, one per row of the table: its member, role and fit, and
  // the skills below target with their level and target (the markup the board had them
  // in before; without JavaScript, small screens get the table instead).
  document.querySelectorAll("[data-heat-cards]").forEach(function (list) {
    var section = list.closest(".heat-section");
    var table = section && section.querySelector(".heatmap[data-cell-title]");
    if (!table) { return; }
    var words = table.dataset.cellTitle;
    var names = Array.prototype.map.call(table.querySelectorAll("thead .skill-name"), function (name) {
      return name.dataset.full || name.title;
    });
    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }
    function bdi(text) { return el("bdi", "", text); }
    function figures(level, target) {
      return words.replace("%(used)s", level).replace("%(target)s", target);
    }
    var fragment = document.createDocumentFragment();
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var head = row.querySelector("th");
      var name = head.querySelector("bdi");
      var role = head.querySelector("small bdi");
      var badge = head.querySelector(".badge-provisional");
      var fit = row.querySelector("td.f");
      var gaps = [];
      var required = 0;
      Array.prototype.forEach.call(row.querySelectorAll("td"), function (cell, index) {
        if (index === 0) { return; }  // the fit
        var match = /^c(\d)(\d)$/.exec(cell.className);
        if (!match) { return; }  // not required
        required += 1;
        var level = +match[1], target = +match[2];
        if (level < target) {
          gaps.push([names[index - 1], level, target, level - target <= -2 ? "m2" : "m1"]);
        }
      });
      var summary = el("summary");
      summary.appendChild(el("span", "fw-semibold")).appendChild(bdi(name ? name.textContent : ""));
      if (badge) { summary.append(" ", badge.cloneNode(true)); }
      var about = el("span", "small text-muted", "· ");
      about.appendChild(bdi(role ? role.textContent : ""));
      about.append(" · " + (fit ? fit.textContent : ""));
      summary.append(" ", about);
      summary.appendChild(el("span", "d-block small", list.dataset.summary
        .replace("%(met)s", required - gaps.length).replace("%(of)s", required)
        .replace("%(below)s", gaps.length)));
      var details = el("details", "heat-card");
      details.appendChild(summary);
      if (!gaps.length) {
        details.appendChild(el("p", "small text-muted mb-0", list.dataset.none));
      } else {
        var items = el("ul", "list-unstyled small mb-0");
        gaps.forEach(function (gap) {
          var item = el("li", "heat-gap");
          item.append(el("span", "swatch heat-" + gap[3]), " ", bdi(gap[0]), ": " + figures(gap[1], gap[2]));
          items.appendChild(item);
        });
        details.appendChild(items);
      }
      fragment.appendChild(el("li")).appendChild(details);
    });
    list.appendChild(fragment);
  });
  // ---- end of heatmap ----

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    if (!window.Chart) { return; }
    Object.values(window.Chart.instances || {}).forEach(function (chart) { chart.resize(); });
  });
})();
