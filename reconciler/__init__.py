"""The engine: YAML loading, identity, diff, plan, render, apply and the command line."""

from assistants import __version__

__all__ = ["__version__"]
