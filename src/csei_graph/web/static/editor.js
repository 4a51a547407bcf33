// The SPARQL query editor of csei serve: plain JavaScript, no library, nothing loaded from elsewhere.
// Every value from the graph is written with textContent, never as HTML.
"use strict";

(function () {
  const form = document.getElementById("editor");
  const textarea = document.getElementById("query");
  const storedSelect = document.getElementById("stored");
  const storedDescription = document.getElementById("stored-description");
  const parameterBox = document.getElementById("parameters");
  const runButton = document.getElementById("run");
  const statusLine = document.getElementById("status");
  const results = document.getElementById("results");
  const downloadFormat = document.getElementById("download-format");
  const downloadLink = document.getElementById("download");
  const baseIri = form.dataset.baseIri;
  const endpoint = form.dataset.endpoint;
  const storedRoot = form.dataset.queries;
  const stored = JSON.parse(document.getElementById("stored-queries").textContent);
  const storedByName = new Map(stored.map((query) => [query.name, query]));
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

  for (const query of stored) {
    const option = document.createElement("option");
    option.value = query.name;
    option.textContent = query.title;
    storedSelect.appendChild(option);
  }

  function selectedStored() {
    const query = storedByName.get(storedSelect.value);
    // A stored query runs by name (its parameters bound by the server) until its text is edited.
    return query && textarea.value === query.sparql ? query : null;
  }

  function showParameters(query) {
    parameterBox.replaceChildren();
    for (const parameter of query ? query.parameters : []) {
      const label = document.createElement("label");
      label.htmlFor = "parameter-" + parameter.name;
      label.textContent = parameter.name + (parameter.required ? " (required)" : "");
      label.title = parameter.description;
      const input = document.createElement("input");
      input.id = "parameter-" + parameter.name;
      input.name = parameter.name;
      input.dataset.parameter = parameter.name;
      input.placeholder = parameter.type + (parameter.default ? ", default " + parameter.default : "");
      input.title = parameter.description;
      parameterBox.append(label, input);
    }
  }

  function parameterValues() {
    const values = new URLSearchParams();
    for (const input of parameterBox.querySelectorAll("input[data-parameter]")) {
      if (input.value.trim() !== "") {
        values.append(input.dataset.parameter, input.value.trim());
      }
    }
    return values;
  }

  function request(format) {
    const query = selectedStored();
    if (query) {
      const values = parameterValues();
      if (format) values.set("format", format);
      const search = values.toString();
      return { url: storedRoot + "/" + encodeURIComponent(query.name) + (search ? "?" + search : ""), init: {} };
    }
    const values = new URLSearchParams({ query: textarea.value });
    if (format) {
      values.set("format", format);
      return { url: endpoint + "?" + values.toString(), init: {} };
    }
    return {
      url: endpoint,
      init: { method: "POST", body: values, headers: { "Content-Type": "application/x-www-form-urlencoded" } },
    };
  }

  function updateDownload() {
    downloadLink.href = request(downloadFormat.value).url;
  }

  function localHref(iri) {
    // IRIs of the graph open on this server; other web addresses open where they are.
    if (iri.startsWith(baseIri)) return new URL(iri.slice(baseIri.length), new URL(endpoint, location.href)).href;
    return /^https?:/i.test(iri) ? iri : null;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const href = localHref(term.value);
      const node = document.createElement(href ? "a" : "span");
      if (href) node.href = href;
      node.textContent = term.value.startsWith(baseIri) ? term.value.slice(baseIri.length) : term.value;
      node.title = term.value;
      node.dataset.iri = term.value;
      td.appendChild(node);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      const tag = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? term.datatype.replace(/^.*[#/]/, "") : "";
      if (tag) {
        const small = document.createElement("span");
        small.className = "tag";
        small.textContent = " " + tag;
        td.appendChild(small);
      }
    }
    return td;
  }

  function showTable(data) {
    if (typeof data.boolean === "boolean") {
      const answer = document.createElement("p");
      answer.className = "boolean";
      answer.textContent = data.boolean ? "yes (true)" : "no (false)";
      results.replaceChildren(answer);
      return 1;
    }
    const variables = data.head.vars;
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const name of variables) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const name of variables) row.appendChild(cell(binding[name]));
    }
    results.replaceChildren(table);
    return data.results.bindings.length;
  }

  // The names of the resources in the results, asked for in one more query: a table of names, each
  // linking to its page, rather than of IRIs (an IRI with no name keeps its short form).
  const LABEL_LIMIT = 2000;
  const SAFE_IRI = /^[^\s<>"{}|\\^`]+$/;

  async function nameLinks() {
    const nodes = Array.from(results.querySelectorAll("[data-iri]"));
    const iris = Array.from(new Set(nodes.map((node) => node.dataset.iri)))
      .filter((iri) => SAFE_IRI.test(iri))
      .slice(0, LABEL_LIMIT);
    if (!iris.length) return;
    const query =
      "SELECT ?s ?l WHERE { VALUES ?s { " + iris.map((iri) => "<" + iri + ">").join(" ") + " } " +
      "?s <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2000/01/rdf-schema#label> ?l }";
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        body: new URLSearchParams({ query: query }),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
      });
      if (!response.ok) return;
      const names = new Map();
      for (const binding of (await response.json()).results.bindings) {
        const language = binding.l["xml:lang"] || "";
        const rank = language.startsWith("en") ? 0 : language ? 2 : 1;
        const known = names.get(binding.s.value);
        if (!known || rank < known.rank) names.set(binding.s.value, { text: binding.l.value, rank: rank });
      }
      for (const node of nodes) {
        const name = names.get(node.dataset.iri);
        if (name) {
          node.textContent = name.text;
          node.classList.add("named");
        }
      }
    } catch (error) {
      // The names are a help: the table of IRIs stays as it is when they cannot be had.
    }
  }

  function showText(text) {
    const pre = document.createElement("pre");
    pre.textContent = text;
    results.replaceChildren(pre);
  }

  async function run() {
    const { url, init } = request(null);
    init.headers = Object.assign({ Accept: ACCEPT }, init.headers || {});
    runButton.disabled = true;
    statusLine.className = "status";
    statusLine.textContent = "Running…";
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      const elapsed = Math.round(performance.now() - started);
      const type = response.headers.get("Content-Type") || "";
      const text = await response.text();
      if (!response.ok) {
        statusLine.className = "status error";
        statusLine.textContent = "Error " + response.status + ": " + text;
        results.replaceChildren();
        return;
      }
      if (type.startsWith("application/sparql-results+json")) {
        const rows = showTable(JSON.parse(text));
        statusLine.textContent = rows + (rows === 1 ? " row" : " rows") + " in " + elapsed + " ms";
        await nameLinks();
      } else {
        showText(text);
        statusLine.textContent = "Graph result in " + elapsed + " ms";
      }
    } catch (error) {
      statusLine.className = "status error";
      statusLine.textContent = "The server could not be reached: " + error;
    } finally {
      runButton.disabled = false;
    }
  }

  // The project's prefixes a query uses without declaring them, declared at its top on request.
  document.getElementById("declare-prefixes").addEventListener("click", () => {
    const declared = new Set(Array.from(textarea.value.matchAll(/PREFIX\s+([A-Za-z][\w-]*)?:/gi), (m) => m[1] || ""));
    const lines = document.getElementById("prefix-list").textContent.split("\n").filter((line) => {
      const name = (line.match(/^PREFIX ([\w-]+):/) || [])[1];
      return name && !declared.has(name) && new RegExp("(^|[\\s(/^|])" + name + ":").test(textarea.value);
    });
    if (lines.length) textarea.value = lines.join("\n") + "\n" + textarea.value;
    updateDownload();
  });

  storedSelect.addEventListener("change", () => {
    const query = storedByName.get(storedSelect.value);
    if (query) textarea.value = query.sparql;
    storedDescription.textContent = query ? query.description : "";
    showParameters(query);
    updateDownload();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  for (const element of [textarea, downloadFormat, parameterBox]) {
    element.addEventListener("input", updateDownload);
    element.addEventListener("change", updateDownload);
  }

  const preset = new URLSearchParams(location.search);
  if (preset.has("stored") && storedByName.has(preset.get("stored"))) {
    storedSelect.value = preset.get("stored");
    storedSelect.dispatchEvent(new Event("change"));
    for (const input of parameterBox.querySelectorAll("input[data-parameter]")) {
      if (preset.has(input.dataset.parameter)) input.value = preset.get(input.dataset.parameter);
    }
    run();
  } else if (form.dataset.autorun === "true") {
    run();
  }
  updateDownload();
})();
