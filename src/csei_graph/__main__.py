"""`python -m csei_graph`: the `csei` command line."""

from csei_graph.cli import main

main()
