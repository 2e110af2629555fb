// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // On a phone the navigation collapses behind a Menu button.
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("nav");
  if (toggle && nav) {
    toggle.hidden = false;
    document.documentElement.classList.add("js");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }
  // Filter forms submit as soon as a select changes.
  document.querySelectorAll("form.filters select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.requestSubmit(); });
  });
  // Bulk actions (data-bulk-for names the form the rows' checkboxes belong
  // to) show once a row is selected; without JavaScript they always show.
  document.querySelectorAll("[data-bulk-for]").forEach(function (bar) {
    var boxes = document.querySelectorAll('input[type="checkbox"][form="' + bar.getAttribute("data-bulk-for") + '"]');
    var update = function () {
      bar.hidden = !Array.prototype.some.call(boxes, function (b) { return b.checked; });
    };
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
  // Buttons that ask before doing something that cannot be undone silently.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  // Colour swatches: set through the CSSOM, which the Content-Security-Policy allows
  // (inline style attributes it does not).
  document.querySelectorAll("[data-colour]").forEach(function (el) {
    el.style.backgroundColor = el.getAttribute("data-colour");
  });
  // Quote editor: add or edit lines without a full reload. The form posts as
  // usual; the page it leads to replaces the current one in place, and the
  // focus goes back to the first field of the line entry for the next line.
  function enhanceQuoteForms(root) {
    root.querySelectorAll("form.item-form, .add-line form, .line-actions form").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (form.method.toLowerCase() !== "post") { return; }
        e.preventDefault();
        var data = new FormData(form, e.submitter);
        // A line's buttons share one form and name their own action (formaction).
        var action = e.submitter && e.submitter.hasAttribute("formaction") ? e.submitter.formAction : form.action;
        fetch(action, { method: "POST", body: data, credentials: "same-origin" }).then(function (res) {
          return res.text().then(function (html) { return { res: res, html: html }; });
        }).then(function (r) {
          var doc = new DOMParser().parseFromString(r.html, "text/html");
          var fresh = doc.getElementById("main");
          var main = document.getElementById("main");
          if (!fresh || !main) { window.location.href = r.res.url; return; }
          main.innerHTML = fresh.innerHTML;
          if (r.res.url && r.res.url !== window.location.href) { history.replaceState(null, "", r.res.url); }
          enhanceQuoteForms(main);
          enhancePickers(main);
          enhanceProductLines(main);
          var first = main.querySelector("[aria-invalid=true]") || main.querySelector(".add-line select, .add-line input:not([type=hidden])");
          if (first) { first.focus(); }
        }).catch(function () {
          // Without the enhancement: the same post as the browser's own, the
          // pressed button's action and value included.
          form.action = action;
          if (e.submitter && e.submitter.name) {
            var pressed = document.createElement("input");
            pressed.type = "hidden";
            pressed.name = e.submitter.name;
            pressed.value = e.submitter.value;
            form.appendChild(pressed);
          }
          form.submit();
        });
      });
    });
  }
  if (document.querySelector(".add-line")) { enhanceQuoteForms(document); }
  // Pickers of big tables (organizations, vendors, campaigns, products; also
  // in a quote editor's page replaced in place): the name is typed; while
  // it is, up to ten names are suggested below it in an ARIA combobox (arrows
  // move, Enter chooses, Escape closes). Choosing one sets the hidden id and
  // tells the form with a "picked" event; typing again clears the id, so the
  // server resolves what was typed.
  var pickers = 0;
  function enhancePickers(root) { root.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var form = input.form, name = input.getAttribute("data-pick");
    if (!form || !name) { return; }
    var list = document.createElement("ul");
    list.id = input.id + "-suggestions-" + (++pickers);
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    var label = form.querySelector('label[for="' + input.id + '"]');
    if (label) { list.setAttribute("aria-label", label.textContent.replace("*", "").trim() + " suggestions"); }
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var rows = [], active = -1, timer = null, asked = null;
    function hidden() {
      var h = form.querySelector('input[type=hidden][name="' + name + '"]');
      if (!h) {
        h = document.createElement("input");
        h.type = "hidden";
        h.name = name;
        list.insertAdjacentElement("afterend", h);
      }
      return h;
    }
    function picked(id) {
      form.dispatchEvent(new CustomEvent("picked", { detail: { name: name, id: id } }));
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function setActive(i) {
      var items = list.children;
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = i;
      if (i < 0 || !items[i]) { input.removeAttribute("aria-activedescendant"); return; }
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      items[i].scrollIntoView({ block: "nearest" });
    }
    function choose(row) {
      input.value = row.name;
      var matches = input.parentNode.querySelector(".matches");
      if (matches) { matches.remove(); }
      hidden().value = String(row.id);
      asked = row.name;
      close();
      picked(String(row.id));
      if (form.classList.contains("filters")) { form.requestSubmit(); }
    }
    function show(found) {
      rows = found;
      list.textContent = "";
      active = -1;
      found.forEach(function (row, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = row.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(row); });
        list.appendChild(li);
      });
      if (found.length === 0) { close(); return; }
      // Right under the input, whatever follows it (CSSOM: allowed by the CSP).
      list.style.top = (input.offsetTop + input.offsetHeight + 2) + "px";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function suggest() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (q === "") { show([]); return; }
      var url = input.getAttribute("data-suggest");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (res) {
        return res.ok ? res.json() : [];
      }).then(function (found) {
        if (input.value.trim() === q && document.activeElement === input) { show(found); }
      }).catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      var h = form.querySelector('input[type=hidden][name="' + name + '"]');
      if (h && h.value !== "") { h.value = ""; picked(""); }
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (rows.length === 0) { return; }
        e.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        var n = rows.length;
        setActive(e.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();
        chose = true;
        choose(rows[active]);
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        close();
      }
    });
    // The Enter that chose a suggestion does not also send the form (where a
    // keypress still follows a cancelled keydown).
    var chose = false;
    input.addEventListener("keypress", function (e) {
      if (e.key === "Enter" && chose) { e.preventDefault(); }
      chose = false;
    });
    input.addEventListener("blur", close);
  }); }
  enhancePickers(document);
  // Quote editor, a new line: choosing a catalog product (in the select,
  // among the matches, or from the suggestions) fills the form at once with
  // what the line takes from the catalog (GET /quotes/products/{id}, the
  // server's own values), so the form shows what will be stored. As on the
  // server, a field the user entered is kept; one that the previous product
  // filled is replaced; every field stays editable.
  function enhanceProductLines(root) { root.querySelectorAll("form.item-form").forEach(function (form) {
    if (!form.querySelector('[name="product_id"]') || form.hasAttribute("data-fills")) { return; }
    form.setAttribute("data-fills", "");
    var names = ["kind", "name", "description", "unit_price", "unit_cost", "period", "taxable"];
    var status = document.createElement("p");
    status.className = "hint fill-status";
    status.setAttribute("role", "status");
    var picker = form.querySelector("#product_id");
    (picker && picker.closest(".field") ? picker.closest(".field") : form).appendChild(status);
    var asked = 0;
    function each(fn) {
      names.forEach(function (n) {
        var el = form.elements[n];
        if (el && el.tagName && el.type !== "checkbox") { fn(el, n); }
      });
    }
    function labelOf(el) {
      var l = form.querySelector('label[for="' + el.id + '"]');
      return l ? l.textContent.replace("*", "").trim() : el.name;
    }
    function untouched(el) {
      return el.value === "" || (el.hasAttribute("data-filled") && el.value === el.getAttribute("data-filled"));
    }
    function chosen() {
      var el = form.querySelector('select[name="product_id"], input[type=hidden][name="product_id"], input[type=radio][name="product_id"]:checked');
      return el ? el.value : "";
    }
    function line(id, then) {
      var n = ++asked;
      fetch("/quotes/products/" + encodeURIComponent(id), { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (res) {
        return res.ok ? res.json() : null;
      }).then(function (row) {
        if (row && n === asked) { then(row); }
      }).catch(function () {});
    }
    function fill(id) {
      if (!id) {
        // No product: what the last one filled goes back to empty (or "From
        // product"); what the user entered stays.
        asked++;
        each(function (el) {
          if (el.hasAttribute("data-filled") && el.value === el.getAttribute("data-filled")) { el.value = ""; }
          el.removeAttribute("data-filled");
          el.classList.remove("filled");
        });
        status.textContent = "";
        return;
      }
      line(id, function (row) {
        var kept = [];
        each(function (el, n) {
          if (untouched(el)) {
            el.value = row[n];
            el.setAttribute("data-filled", row[n]);
            el.classList.add("filled");
          } else if (el.value !== row[n]) {
            el.removeAttribute("data-filled");
            kept.push(labelOf(el));
          }
        });
        status.textContent = "Filled in from the catalog’s “" + row.name + "”" +
          (kept.length ? ", keeping what you entered in " + kept.join(", ") : "") + ". Change anything before adding the line.";
      });
    }
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (t.name === "product_id" && (t.tagName === "SELECT" || t.type === "radio")) { fill(t.value); }
    });
    form.addEventListener("picked", function (e) {
      if (e.detail && e.detail.name === "product_id") { fill(e.detail.id); }
    });
    // A field changed by hand is no longer the product's.
    form.addEventListener("input", function (e) {
      var t = e.target;
      if (t.classList.contains("filled") && t.value !== t.getAttribute("data-filled")) { t.classList.remove("filled"); }
    });
    // A form that came back (422) with a product chosen: the fields that
    // still hold its values are the product's, replaced if another is chosen.
    var id = chosen();
    if (id) {
      line(id, function (row) {
        each(function (el, n) { if (el.value !== "" && el.value === row[n]) { el.setAttribute("data-filled", row[n]); } });
      });
    }
  }); }
  enhanceProductLines(document);
  // A contact select follows its organization field: when another one is
  // chosen (in the select, among the matches, or from the suggestions), it
  // offers that organization's contacts.
  document.querySelectorAll("select[data-contacts-of]").forEach(function (sel) {
    var form = sel.form, field = sel.getAttribute("data-contacts-of");
    if (!form) { return; }
    var blank = sel.options[0] && sel.options[0].value === "" ? sel.options[0].cloneNode(true) : null;
    function reload(orgID) {
      var keep = sel.value;
      function fill(contacts) {
        sel.textContent = "";
        if (blank) { sel.appendChild(blank.cloneNode(true)); }
        contacts.forEach(function (ct) {
          var opt = document.createElement("option");
          opt.value = String(ct.id);
          opt.textContent = ct.name;
          opt.selected = opt.value === keep;
          sel.appendChild(opt);
        });
      }
      if (!orgID) { fill([]); return; }
      fetch("/organizations/" + encodeURIComponent(orgID) + "/contacts", { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (res) {
        return res.ok ? res.json() : null;
      }).then(function (contacts) { if (contacts) { fill(contacts); } }).catch(function () {});
    }
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (t.name === field && (t.tagName === "SELECT" || t.type === "radio")) { reload(t.value); }
    });
    form.addEventListener("picked", function (e) {
      if (e.detail && e.detail.name === field) { reload(e.detail.id); }
    });
  });
  // Pipeline board: drag a card onto another column. The drop fills in the card's
  // own "Move to" form and submits it, so both ways use the same server route.
  var dragged = null;
  document.querySelectorAll(".opp-card[draggable=true]").forEach(function (card) {
    card.addEventListener("dragstart", function (e) {
      dragged = card;
      card.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.id);
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      dragged = null;
    });
  });
  document.querySelectorAll(".board .column").forEach(function (col) {
    col.addEventListener("dragover", function (e) {
      if (!dragged) { return; }
      e.preventDefault();
      col.classList.add("drop");
    });
    col.addEventListener("dragleave", function () { col.classList.remove("drop"); });
    col.addEventListener("drop", function (e) {
      col.classList.remove("drop");
      if (!dragged) { return; }
      e.preventDefault();
      var form = dragged.querySelector("form.move");
      var select = form && form.querySelector("select[name=stage_id]");
      if (!select || select.value === col.dataset.stage) { return; }
      select.value = col.dataset.stage;
      col.querySelector(".cards-list").appendChild(dragged);
      form.requestSubmit();
    });
  });
})();
