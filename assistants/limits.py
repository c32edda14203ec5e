"""The API's limits (API-FACTS "Field limits"), in one place for the models and the local server."""

from __future__ import annotations

NAME_MAX = 256
DESCRIPTION_MAX = 512
INSTRUCTIONS_MAX = 256_000
TOOLS_MAX = 128
FUNCTION_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
FILE_SEARCH_MAX_RESULTS = (1, 50)
RANKERS = ("auto", "default_2024_08_21")
CODE_INTERPRETER_FILES_MAX = 20
VECTOR_STORES_MAX = 1
METADATA_PAIRS_MAX = 16
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
TOOL_TYPES = ("code_interpreter", "file_search", "function")
LIST_LIMIT_DEFAULT = 20
LIST_LIMIT_MAX = 100

# Fields an assistant request may carry (both request schemas have additionalProperties: false).
REQUEST_FIELDS = (
    "model", "name", "description", "instructions", "tools", "tool_resources", "metadata",
    "temperature", "top_p", "response_format", "reasoning_effort",
)
