"""JSON Schema of the settings file `assistants.project.yaml`, for editors
(`assistants schema --settings`; committed as examples/assistants.project.schema.json)."""

from __future__ import annotations

import copy
from typing import Any

from reconciler.config.settings import SettingsFile
from reconciler.schema.document import SCHEMA_ID


def settings_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of `assistants.project.yaml`."""
    schema: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "title": "Project settings (assistants-reconciler)",
        "description": (
            "assistants.project.yaml at a config root: the owner written into every "
            "assistant's ownership marker, how many deletes `apply --prune` may do, and the "
            "environments one repository drives. Unknown keys are errors. String values may "
            "use ${VAR} and ${VAR:-default}. See docs/configuration.md."
        ),
    }
    base = copy.deepcopy(SettingsFile.model_json_schema(mode="validation"))
    schema.update({k: v for k, v in base.items() if k not in ("title", "description")})
    return schema
