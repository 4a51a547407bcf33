"""The page layer: one module per kind of page (its reads, its view model; its template in `templates/`),
shared by `csei publish` (files) and `csei serve` (live).

- `reader`: what a page reads of the store, batched; `index`: the same reads from one pass over the graph.
- `resource`, `listing`, `home`, `ontology`, `shapes`, `query`, `search`, `message`, `editor`: the kinds.
- `router`: which page a site path shows; `render`: the one Jinja environment; `paths`: where pages live.

A new kind of page is a module here (a frozen dataclass naming its `template`, and a function that
builds it through a `Reader`), a template in `templates/`, and a line in `router.view_for_path`.
"""
