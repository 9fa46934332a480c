"""`python -m kisbot` runs the command line."""

from __future__ import annotations

from kisbot.cli import main

raise SystemExit(main())
