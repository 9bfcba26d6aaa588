"""The `registry` command line."""
