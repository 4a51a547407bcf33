// The network of clusters with Cytoscape.js (vendored in static/vendor/cytoscape): clusters as nodes,
// shared members as weighted edges, filtered by country and by the kind of actor shared.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var country = document.getElementById("network-country");
  var kind = document.getElementById("network-kind");
  var least = document.getElementById("network-min");
  var status = document.getElementById("network-status");
  var selected = document.getElementById("network-selected");
  var search = new URLSearchParams(location.search);

  function fill(select, labels, value) {
    Object.keys(labels).sort(function (a, b) { return labels[a].localeCompare(labels[b]); }).forEach(function (code) {
      var option = document.createElement("option");
      option.value = code;
      option.textContent = labels[code];
      select.appendChild(option);
    });
    if (value && value in labels) { select.value = value; }
  }
  fill(country, data.countries, search.get("country"));
  fill(kind, data.kinds, search.get("kind"));
  // A large network opens with the ties of most shared members, at most DRAWN_EDGES of them, so that
  // it draws in a few seconds; lowering "at least" shows the rest.
  var DRAWN_EDGES = 3000;
  if (search.get("min")) {
    least.value = search.get("min");
  } else if (data.edges.length > DRAWN_EDGES) {
    var weights = data.edges.map(function (edge) { return weight(edge); }).sort(function (a, b) { return b - a; });
    least.value = String(weights[DRAWN_EDGES - 1] + 1 > weights[0] ? weights[0] : weights[DRAWN_EDGES - 1] + 1);
  }

  function weight(edge) {
    if (kind.value) { return edge.k[kind.value] || 0; }
    return Object.keys(edge.k).reduce(function (sum, k) { return sum + edge.k[k]; }, 0);
  }

  function elements() {
    var nodes = {};
    data.nodes.forEach(function (node) {
      if (!country.value || node.c.indexOf(country.value) !== -1) { nodes[node.id] = node; }
    });
    var minimum = Math.max(1, parseInt(least.value, 10) || 1);
    var edges = [];
    var used = {};
    data.edges.forEach(function (edge, number) {
      var w = weight(edge);
      if (w >= minimum && nodes[edge.s] && nodes[edge.t]) {
        edges.push({ group: "edges", data: { id: "e" + number, source: edge.s, target: edge.t, weight: w } });
        used[edge.s] = used[edge.t] = true;
      }
    });
    var kept = Object.keys(used).map(function (id) {
      var node = nodes[id];
      return { group: "nodes", data: { id: id, label: node.l, href: node.p, members: node.m } };
    });
    return { nodes: kept, edges: edges };
  }

  var cy = cytoscape({
    container: document.getElementById("network"),
    wheelSensitivity: 0.3,
    // Large networks stay responsive while panning and zooming.
    hideEdgesOnViewport: true,
    textureOnViewport: true,
    pixelRatio: 1,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 9, "width": "mapData(members, 0, 60, 8, 40)",
        "height": "mapData(members, 0, 60, 8, 40)", "background-color": "#2b6a8f", "color": "#222",
        "text-valign": "bottom", "min-zoomed-font-size": 6 } },
      { selector: "edge", style: {
        "width": "mapData(weight, 1, 10, 1, 8)", "line-color": "#9ab", "opacity": 0.7, "curve-style": "haystack" } },
      { selector: ".faded", style: { "opacity": 0.12 } },
      { selector: "node:selected", style: { "background-color": "#c0392b" } }
    ]
  });

  function draw() {
    var parts = elements();
    var next = new URLSearchParams();
    if (country.value) { next.set("country", country.value); }
    if (kind.value) { next.set("kind", kind.value); }
    if (least.value && least.value !== "1") { next.set("min", least.value); }
    var text = next.toString();
    history.replaceState(null, "", location.pathname + (text ? "?" + text : ""));
    cy.elements().remove();
    cy.add(parts.nodes.concat(parts.edges));
    var big = parts.nodes.length > 400;
    cy.layout(big ? { name: "grid", animate: false } :
      { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 8000; },
        idealEdgeLength: function () { return 60; }, numIter: 600 }).run();
    status.textContent = parts.nodes.length + " clusters, " + parts.edges.length + " links";
    status.dataset.nodes = parts.nodes.length;
    status.dataset.edges = parts.edges.length;
    selected.textContent = "";
  }

  cy.on("tap", "node", function (event) {
    var node = event.target;
    cy.elements().addClass("faded");
    node.closedNeighborhood().removeClass("faded");
    selected.textContent = "";
    var link = document.createElement("a");
    link.href = node.data("href");
    link.textContent = node.data("label");
    selected.appendChild(link);
    selected.appendChild(document.createTextNode(
      ": " + node.data("members") + " members, linked to " + node.neighborhood("node").length + " clusters"));
  });
  cy.on("tap", function (event) {
    if (event.target === cy) { cy.elements().removeClass("faded"); selected.textContent = ""; }
  });
  cy.on("dbltap", "node", function (event) { location.href = event.target.data("href"); });
  [country, kind, least].forEach(function (element) { element.addEventListener("change", draw); });
  draw();
})();
