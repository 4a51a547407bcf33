// Search over the prebuilt index (search-index.json) in the browser: no server, no other host.
(function () {
  "use strict";
  var script = document.currentScript;
  var indexUrl = script.getAttribute("data-index");
  var root = script.getAttribute("data-root") || "";
  var box = document.getElementById("search-box");
  var form = document.getElementById("search-form");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var entries = null;
  var LIMIT = 100;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function show(query) {
    results.textContent = "";
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) { return; }
    var found = [];
    entries.forEach(function (entry) {
      var label = fold(entry.l);
      var text = label + " " + fold(entry.a) + " " + fold(entry.t);
      if (words.every(function (w) { return text.indexOf(w) !== -1; })) {
        found.push({ entry: entry, rank: label.indexOf(words[0]) === 0 ? 0 : label.indexOf(words[0]) !== -1 ? 1 : 2 });
      }
    });
    found.sort(function (a, b) { return a.rank - b.rank || a.entry.l.localeCompare(b.entry.l); });
    status.textContent = found.length + (found.length === 1 ? " match" : " matches") +
      (found.length > LIMIT ? ", the first " + LIMIT + " shown" : "");
    found.slice(0, LIMIT).forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + hit.entry.p;
      link.textContent = hit.entry.l;
      item.appendChild(link);
      var detail = [hit.entry.t, hit.entry.a].filter(Boolean).join(" · ");
      if (detail) {
        var small = document.createElement("span");
        small.className = "detail";
        small.textContent = " " + detail;
        item.appendChild(small);
      }
      results.appendChild(item);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  box.value = query;
  status.textContent = "Loading the index…";
  fetch(indexUrl).then(function (response) {
    if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
    return response.json();
  }).then(function (data) {
    entries = data;
    status.textContent = entries.length + " names to search.";
    show(query);
  }).catch(function (error) {
    status.textContent = "The search index could not be loaded (" + error.message + ").";
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", box.value);
    window.history.replaceState(null, "", url.toString());
    if (entries) { show(box.value); }
  });
  box.addEventListener("input", function () { if (entries) { show(box.value); } });
})();
