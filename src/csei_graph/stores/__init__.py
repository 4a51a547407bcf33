"""Where the graph is kept: one interface (`base.Store`) and an adapter per kind of store."""
