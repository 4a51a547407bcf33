// A stored query's page: sort the result table by a column; on the static site, send a form's values
// to the page written for them. No other host is asked for anything.
(function () {
  "use strict";

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a.replace(/\.0+$/, "") && String(y) === b.replace(/\.0+$/, "")) {
      return x - y;
    }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    var buttons = table.querySelectorAll("thead button.sort");
    buttons.forEach(function (button, index) {
      button.addEventListener("click", function () {
        var th = button.parentNode;
        var descending = th.getAttribute("aria-sort") === "ascending";
        table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(cellText(r1, index), cellText(r2, index));
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  var form = document.getElementById("query-form");
  if (!form) { return; }
  var variants = JSON.parse(document.getElementById("query-variants").textContent);
  var shown = JSON.parse(document.getElementById("query-values").textContent);
  var page = form.getAttribute("data-page");
  var stem = page.replace(/\.html$/, "");

  function asked(search) {
    var values = {};
    new URLSearchParams(search).forEach(function (value, name) {
      if (value.trim() && form.elements[name]) { values[name] = value; }
    });
    return values;
  }

  function changed(values) {
    return Object.keys(values).filter(function (name) {
      return values[name] !== (form.elements[name].getAttribute("data-default") || "");
    });
  }

  // The page written for these values on the static site, or null when there is none.
  function writtenPage(values) {
    var names = changed(values);
    if (!names.length) { return page; }
    if (names.length === 1 && (variants[names[0]] || []).indexOf(values[names[0]]) !== -1) {
      return stem + "/" + encodeURIComponent(names[0]) + "/" + encodeURIComponent(values[names[0]]) + ".html";
    }
    return null;
  }

  function same(a, b) {
    var keys = Object.keys(a).concat(Object.keys(b));
    return keys.every(function (k) { return (a[k] || "") === (b[k] || ""); });
  }

  // Empty fields are left out of the address: the query then takes the parameter's default.
  form.addEventListener("submit", function (event) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name && element.value.trim()) { values[element.name] = element.value; }
    });
    event.preventDefault();
    var written = writtenPage(values);
    var search = new URLSearchParams(values).toString();
    location.href = written || (page + (search ? "?" + search : ""));
  });

  // A page opened with values in its address that it was not made for: a static copy of the site,
  // which shows the page written for them, or says it has none.
  var wanted = asked(location.search);
  if (location.search && !same(wanted, shown)) {
    var written = writtenPage(wanted);
    if (written) {
      location.replace(written);
    } else {
      document.getElementById("static-notice").hidden = false;
    }
  }
})();
