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
        fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (res) {
          return res.text().then(function (html) { return { res: res, html: html }; });
        }).then(function (r) {
          var doc = new DOMParser().parseFromString(r.html, "text/html");
          var fresh = doc.getElementById("main");
          var main = document.getElementById("main");
          if (!fresh || !main) { window.location.href = r.res.url; return; }
          main.innerHTML = fresh.innerHTML;
          if (r.res.url && r.res.url !== window.location.href) { history.replaceState(null, "", r.res.url); }
          enhanceQuoteForms(main);
          var first = main.querySelector("[aria-invalid=true]") || main.querySelector(".add-line select, .add-line input:not([type=hidden])");
          if (first) { first.focus(); }
        }).catch(function () { form.submit(); });
      });
    });
  }
  if (document.querySelector(".add-line")) { enhanceQuoteForms(document); }
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
