// Facets that combine over the clusters in the page: AND across facets, OR within one; the counts
// follow the choice and the address keeps it (?country=FRA&innovation=social&kind=public-authority).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("explore-data").textContent);
  var form = document.getElementById("facets");
  var status = document.getElementById("explore-status");
  var results = document.getElementById("explore-results");
  var chosen = {};

  function readAddress() {
    var search = new URLSearchParams(location.search);
    data.facets.forEach(function (facet) {
      chosen[facet.name] = search.getAll(facet.name).filter(function (v) { return v in facet.values; });
    });
  }

  function writeAddress() {
    var search = new URLSearchParams();
    data.facets.forEach(function (facet) {
      chosen[facet.name].forEach(function (value) { search.append(facet.name, value); });
    });
    var text = search.toString();
    history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
  }

  function matches(cluster, skip) {
    return data.facets.every(function (facet) {
      if (facet.name === skip || !chosen[facet.name].length) { return true; }
      return chosen[facet.name].some(function (value) { return cluster[facet.field].indexOf(value) !== -1; });
    });
  }

  function build() {
    data.facets.forEach(function (facet) {
      var box = document.createElement("fieldset");
      box.className = "facet";
      box.dataset.facet = facet.name;
      var legend = document.createElement("legend");
      legend.textContent = facet.label;
      box.appendChild(legend);
      Object.keys(facet.values).sort(function (a, b) {
        return facet.values[a].localeCompare(facet.values[b]);
      }).forEach(function (value) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.name = facet.name;
        input.value = value;
        input.checked = chosen[facet.name].indexOf(value) !== -1;
        input.addEventListener("change", function () {
          chosen[facet.name] = Array.prototype.filter.call(
            form.querySelectorAll('input[name="' + facet.name + '"]'), function (i) { return i.checked; }
          ).map(function (i) { return i.value; });
          writeAddress();
          update();
        });
        var name = document.createElement("span");
        name.textContent = " " + facet.values[value] + " ";
        var count = document.createElement("span");
        count.className = "count";
        count.dataset.value = value;
        label.appendChild(input);
        label.appendChild(name);
        label.appendChild(count);
        box.appendChild(label);
      });
      form.appendChild(box);
    });
  }

  function update() {
    data.facets.forEach(function (facet) {
      var others = data.clusters.filter(function (c) { return matches(c, facet.name); });
      form.querySelectorAll('fieldset[data-facet="' + facet.name + '"] .count').forEach(function (span) {
        var n = others.filter(function (c) { return c[facet.field].indexOf(span.dataset.value) !== -1; }).length;
        span.textContent = "(" + n + ")";
        span.parentNode.classList.toggle("empty", n === 0);
      });
    });
    var found = data.clusters.filter(function (c) { return matches(c, null); });
    status.textContent = found.length + " of " + data.clusters.length + " clusters";
    results.textContent = "";
    found.forEach(function (cluster) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = cluster.p;
      link.textContent = cluster.l;
      item.appendChild(link);
      results.appendChild(item);
    });
  }

  readAddress();
  build();
  update();
})();
