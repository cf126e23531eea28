"""`python -m osteomonitor` runs the command-line interface."""

from osteomonitor.cli import main

raise SystemExit(main())
