"""`--local`: the client joined to the embedded API in process. The join lives here, on the
reconciler side, so that neither knows the other: the client is given a transport like any
other, and the embedded server (`assistants/local`) never imports the client."""

from __future__ import annotations

import os
from typing import Any

from assistants.client import AssistantsClient
from assistants.local.transport import LOCAL_BASE, local_transport


def local_client(db_path: os.PathLike[str] | str, **options: Any) -> AssistantsClient:
    """An `AssistantsClient` on the embedded API over `db_path` (`options` as for the client)."""
    client = AssistantsClient(LOCAL_BASE, {"Authorization": "Bearer local"},
                              transport=local_transport(db_path), **options)
    client.auth = "local"
    return client
