// The contribution form: member rows added and removed, members picked from the graph (the
// reconciliation service's suggest), and the server's messages shown beside each field as one types.
// No check is made here: every message comes from /contribute/check, the checks of csei contribute.
(function () {
  "use strict";
  var form = document.getElementById("contribute");
  if (!form) return;
  var rows = document.getElementById("member-rows");
  var template = document.getElementById("member-template");
  var general = document.getElementById("general");
  var token = form.querySelector("input[name=csrftoken]").value;
  var touched = {};
  var next = 0;
  var timer = null;
  var sent = 0;

  function renumber() {
    Array.prototype.forEach.call(rows.children, function (row, position) {
      row.querySelector(".number").textContent = String(position + 1);
    });
  }

  function addMember(focus) {
    var index = String(next++);
    var html = template.innerHTML.split("__N__").join(index);
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    rows.appendChild(row);
    renumber();
    wireRow(row);
    if (focus) row.querySelector(".find").focus();
    return row;
  }

  function setNewFields(row, enabled) {
    var block = row.querySelector(".new-organisation");
    block.hidden = !enabled;
    Array.prototype.forEach.call(block.querySelectorAll("input, select"), function (input) {
      input.disabled = !enabled;
    });
  }

  function wireRow(row) {
    var find = row.querySelector(".find");
    var list = row.querySelector(".suggestions");
    var iri = row.querySelector(".iri");
    var picked = row.querySelector(".picked");
    var unpick = row.querySelector(".unpick");
    var active = -1;
    var asked = 0;

    function choose(item) {
      iri.value = item.getAttribute("data-iri");
      row.querySelector(".picked-name").value = item.getAttribute("data-name");
      picked.textContent = "Picked: " + item.getAttribute("data-name") + " (" + iri.value + ")";
      find.value = item.getAttribute("data-name");
      list.innerHTML = "";
      find.setAttribute("aria-expanded", "false");
      unpick.hidden = false;
      setNewFields(row, false);
      touched[iri.name] = true;
      schedule();
    }

    function highlight(position) {
      var items = list.children;
      Array.prototype.forEach.call(items, function (item, i) {
        item.setAttribute("aria-selected", i === position ? "true" : "false");
      });
      active = position;
      if (items[position]) find.setAttribute("aria-activedescendant", items[position].id);
    }

    find.addEventListener("input", function () {
      var prefix = find.value.trim();
      var number = ++asked;
      if (prefix.length < 2) { list.innerHTML = ""; return; }
      var address = form.getAttribute("data-suggest") + "?prefix=" + encodeURIComponent(prefix) +
        "&type=" + encodeURIComponent(form.getAttribute("data-organisation-type"));
      fetch(address, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (found) {
          if (number !== asked) return;
          list.innerHTML = "";
          (found.result || []).forEach(function (entity, i) {
            var item = document.createElement("li");
            item.id = find.id + "-option-" + i;
            item.setAttribute("role", "option");
            item.setAttribute("data-iri", entity.id);
            item.setAttribute("data-name", entity.name);
            item.textContent = entity.name + (entity.description ? " — " + entity.description : "");
            item.addEventListener("click", function () { choose(item); });
            list.appendChild(item);
          });
          find.setAttribute("aria-expanded", list.children.length ? "true" : "false");
          active = -1;
        })
        .catch(function () { list.innerHTML = ""; });
    });

    find.addEventListener("keydown", function (event) {
      var count = list.children.length;
      if (!count) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(list.children[active]); }
      else if (event.key === "Escape") { list.innerHTML = ""; }
    });

    unpick.addEventListener("click", function () {
      iri.value = "";
      row.querySelector(".picked-name").value = "";
      picked.textContent = "";
      find.value = "";
      unpick.hidden = true;
      setNewFields(row, true);
      find.focus();
      schedule();
    });

    row.querySelector(".remove-member").addEventListener("click", function () {
      row.remove();
      renumber();
      document.getElementById("add-member").focus();
      schedule();
    });
  }

  function show(messages) {
    Array.prototype.forEach.call(form.querySelectorAll(".field .error"), function (place) {
      var name = place.id.slice(0, -"-error".length);
      var input = document.getElementById(name);
      var found = touched[name] ? messages[name] || [] : [];
      var text = found.map(function (m) { return (m.severity === "Warning" ? "Recommended: " : "") + m.message; }).join(" ");
      if (place.textContent !== text) place.textContent = text;
      place.classList.toggle("warning", found.length > 0 && found.every(function (m) { return m.severity !== "Violation"; }));
      if (input) {
        if (found.some(function (m) { return m.severity === "Violation"; })) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
    var others = (messages.general || []).filter(function (m) { return m.severity === "Violation"; });
    general.textContent = others.length && Object.keys(touched).length > 1
      ? "Before it can be sent: " + others.map(function (m) { return m.message; }).join(" ")
      : "";
  }

  function check() {
    var number = ++sent;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-check"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token, Accept: "application/json" },
      body: body.toString(),
      credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) { if (number === sent) show(answer.fields || {}); })
      .catch(function () { /* the server checks again when the form is sent */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  }

  form.addEventListener("input", function (event) {
    if (event.target.name) touched[event.target.name] = true;
    schedule();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name) touched[event.target.name] = true;
    schedule();
  });
  document.getElementById("add-member").addEventListener("click", function () { addMember(true); });
  addMember(false);
})();
