"""`python -m registry.cli`: the same as the `registry` command."""

from registry.cli.commands import main

raise SystemExit(main())  # its exit code, as the installed command gives it
