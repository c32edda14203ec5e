"""The API side: each kind of object as data (`kinds/`: assistants, saved agents; fields, server
defaults, canonical form), the HTTP client, the listing from both ends, and the embedded local
server. Never imports `reconciler`."""

__version__ = "0.1.0"
