"""The resource side: models of Assistants API v2 objects, their canonical form, the HTTP client
and the embedded local server. Never imports `reconciler`."""

__version__ = "0.1.0"
