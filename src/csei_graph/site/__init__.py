"""The linked-data site: page views, templates, static assets, and the static publisher."""
