"""Where the graph is kept: one interface (`base.Store`) and an adapter per kind of store.

`embedded` (Oxigraph in memory, or the persistent folder of `disk`), `remote` (a SPARQL 1.1 store,
over `protocol_client`), `rdflib_engine` (rdflib's engine, the reference the others are compared with).
"""
