"""`python -m reconciler.cli`."""

from reconciler.cli.main import entry_point

entry_point()
