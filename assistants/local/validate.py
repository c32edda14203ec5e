"""Request validation with OpenAI's messages, params and codes (API-FACTS "Field limits").

Each check raises `APIFailure` (400) naming the offending field as OpenAI does, e.g.
`tools[0].function.name` or `metadata`. Validation returns nothing: the caller normalises the
already-checked body (see `objects.py`).
"""

from __future__ import annotations

import re
from typing import Any

from assistants import limits
from assistants.local.errors import APIFailure, invalid

_FUNCTION_NAME = re.compile(limits.FUNCTION_NAME_PATTERN)
RESPONSE_FORMAT_TYPES = ("text", "json_object", "json_schema")


def type_name(value: Any) -> str:
    """The JSON type of a value, with its article, as OpenAI words it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _wrong_type(param: str, expected: str, value: Any):
    return invalid(
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead.",
        param, "invalid_type",
    )


def _quoted_choices(choices: tuple[str, ...]) -> str:
    quoted = [f"'{c}'" for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def check_string(value: Any, param: str, max_length: int | None = None, *,
                 nullable: bool = False, min_length: int = 0) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise _wrong_type(param, "a string", value)
    if len(value) < min_length:
        raise invalid(
            f"Invalid '{param}': empty string. Expected a string with minimum length "
            f"{min_length}, but got an empty string instead.", param, "empty_string")
    if max_length is not None and len(value) > max_length:
        raise invalid(
            f"Invalid '{param}': string too long. Expected a string with maximum length "
            f"{max_length}, but got a string with length {len(value)} instead.",
            param, "string_above_max_length")


def check_number(value: Any, param: str, low: float, high: float, *, nullable: bool = True,
                 integer: bool = False) -> None:
    if value is None and nullable:
        return
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok:
        raise _wrong_type(param, "an integer" if integer else "a number", value)
    kind = "integer" if integer else "decimal"
    if value < low:
        raise invalid(
            f"Invalid '{param}': {kind} below minimum value. Expected a value >= {low:g}, "
            f"but got {value} instead.", param, f"{kind}_below_min_value")
    if value > high:
        raise invalid(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {high:g}, "
            f"but got {value} instead.", param, f"{kind}_above_max_value")


def check_choice(value: Any, param: str, choices: tuple[str, ...], *,
                 nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise _wrong_type(param, "a string", value)
    if value not in choices:
        raise invalid(f"Invalid value: '{value}'. Supported values are: "
                      f"{_quoted_choices(choices)}.", param, "invalid_value")


def check_bool(value: Any, param: str, *, nullable: bool = True) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, bool):
        raise _wrong_type(param, "a boolean", value)


def check_object(value: Any, param: str, allowed: tuple[str, ...] | None = None, *,
                 nullable: bool = False) -> dict[str, Any]:
    """Check that `value` is an object whose keys are all `allowed` (when given)."""
    if value is None and nullable:
        return {}
    if not isinstance(value, dict):
        raise _wrong_type(param, "an object", value)
    if allowed is not None:
        for key in value:
            if key not in allowed:
                raise invalid(f"Unknown parameter: '{param}.{key}'.", f"{param}.{key}",
                              "unknown_parameter")
    return value


def check_array(value: Any, param: str, max_items: int, *, nullable: bool = False) -> list[Any]:
    if value is None and nullable:
        return []
    if not isinstance(value, list):
        raise _wrong_type(param, "an array", value)
    if len(value) > max_items:
        raise invalid(
            f"Invalid '{param}': array too long. Expected an array with maximum length "
            f"{max_items}, but got an array with length {len(value)} instead.",
            param, "array_above_max_length")
    return value


def require(obj: dict[str, Any], key: str, param: str) -> None:
    if key not in obj:
        raise invalid(f"Missing required parameter: '{param}'.", param,
                      "missing_required_parameter")


# ---------------------------------------------------------------- the request bodies


def check_body_fields(body: Any) -> dict[str, Any]:
    """The body must be an object holding only known request fields."""
    if not isinstance(body, dict):
        raise invalid(f"Invalid type for request body: expected an object, but got "
                      f"{type_name(body)} instead.", None, "invalid_type")
    unknown = [key for key in body if key not in limits.REQUEST_FIELDS]
    if len(unknown) == 1:
        raise invalid(f"Unrecognized request argument supplied: {unknown[0]}")
    if unknown:
        raise invalid(f"Unrecognized request arguments supplied: {', '.join(unknown)}")
    return body


def validate_request(body: Any, *, create: bool) -> dict[str, Any]:
    """Check a create (`model` required) or modify body; return it unchanged."""
    body = check_body_fields(body)
    if create:
        require(body, "model", "model")
    if "model" in body:
        check_string(body["model"], "model", min_length=1)
    check_string(body.get("name"), "name", limits.NAME_MAX, nullable=True)
    check_string(body.get("description"), "description", limits.DESCRIPTION_MAX, nullable=True)
    check_string(body.get("instructions"), "instructions", limits.INSTRUCTIONS_MAX,
                 nullable=True)
    check_number(body.get("temperature"), "temperature", *limits.TEMPERATURE_RANGE)
    check_number(body.get("top_p"), "top_p", *limits.TOP_P_RANGE)
    check_choice(body.get("reasoning_effort"), "reasoning_effort", limits.REASONING_EFFORTS,
                 nullable=True)
    if "tools" in body:
        check_tools(body["tools"])
    check_tool_resources(body.get("tool_resources"), create=create)
    check_metadata(body.get("metadata"))
    check_response_format(body.get("response_format"))
    return body


def check_model_known(body: dict[str, Any], models: frozenset[str] | None) -> None:
    """With `serve --models`, a model outside the list is OpenAI's 404 `model_not_found`, so a
    client's default (the portkey-ai SDK's `update()` sends `model="portkey-default"`) cannot
    overwrite the model unnoticed."""
    model = body.get("model")
    if models is None or model is None or model in models:
        return
    raise APIFailure(404, f"The model `{model}` does not exist or you do not have access to it.",
                     param="model", code="model_not_found")


def check_tools(tools: Any) -> None:
    for index, tool in enumerate(check_array(tools, "tools", limits.TOOLS_MAX, nullable=True)):
        param = f"tools[{index}]"
        tool = check_object(tool, param)
        require(tool, "type", f"{param}.type")
        check_choice(tool["type"], f"{param}.type", limits.TOOL_TYPES)
        kind = tool["type"]
        if kind == "code_interpreter":
            check_object(tool, param, ("type",))
        elif kind == "file_search":
            check_object(tool, param, ("type", "file_search"))
            check_file_search(tool.get("file_search"), f"{param}.file_search")
        else:
            check_object(tool, param, ("type", "function"))
            require(tool, "function", f"{param}.function")
            check_function(tool["function"], f"{param}.function")


def check_file_search(settings: Any, param: str) -> None:
    settings = check_object(settings, param, ("max_num_results", "ranking_options"),
                            nullable=True)
    check_number(settings.get("max_num_results"), f"{param}.max_num_results",
                 *limits.FILE_SEARCH_MAX_RESULTS, integer=True)
    if settings.get("ranking_options") is None:
        return
    where = f"{param}.ranking_options"
    ranking = check_object(settings["ranking_options"], where, ("ranker", "score_threshold"))
    check_choice(ranking.get("ranker"), f"{where}.ranker", limits.RANKERS, nullable=True)
    # OpenAI's FileSearchRankingOptions lists score_threshold as required.
    require(ranking, "score_threshold", f"{where}.score_threshold")
    check_number(ranking["score_threshold"], f"{where}.score_threshold", 0.0, 1.0,
                 nullable=False)


def check_name(obj: dict[str, Any], param: str) -> None:
    """The required `name` of a function or a json_schema format: 1-64 of [a-zA-Z0-9_-]."""
    require(obj, "name", f"{param}.name")
    check_string(obj["name"], f"{param}.name")
    if not _FUNCTION_NAME.match(obj["name"]):
        raise invalid(
            f"Invalid '{param}.name': string does not match pattern. Expected a string that "
            f"matches the pattern '{limits.FUNCTION_NAME_PATTERN}'.", f"{param}.name",
            "invalid_value")


def check_function(function: Any, param: str) -> None:
    function = check_object(function, param, ("name", "description", "parameters", "strict"))
    check_name(function, param)
    check_string(function.get("description"), f"{param}.description", nullable=True)
    check_object(function.get("parameters"), f"{param}.parameters", nullable=True)
    check_bool(function.get("strict"), f"{param}.strict")


def check_tool_resources(resources: Any, *, create: bool) -> None:
    resources = check_object(resources, "tool_resources", ("code_interpreter", "file_search"),
                             nullable=True)
    if resources.get("code_interpreter") is not None:
        where = "tool_resources.code_interpreter"
        code = check_object(resources["code_interpreter"], where, ("file_ids",))
        _check_ids(code.get("file_ids"), f"{where}.file_ids", limits.CODE_INTERPRETER_FILES_MAX)
    if resources.get("file_search") is not None:
        where = "tool_resources.file_search"
        allowed = ("vector_store_ids", "vector_stores") if create else ("vector_store_ids",)
        search = check_object(resources["file_search"], where, allowed)
        _check_ids(search.get("vector_store_ids"), f"{where}.vector_store_ids",
                   limits.VECTOR_STORES_MAX)
        if "vector_stores" in search:
            if "vector_store_ids" in search:
                raise invalid(f"Invalid '{where}': give 'vector_store_ids' or 'vector_stores', "
                              "not both.", where, "invalid_value")
            stores = check_array(search["vector_stores"], f"{where}.vector_stores",
                                 limits.VECTOR_STORES_MAX)
            for index, store in enumerate(stores):
                check_object(store, f"{where}.vector_stores[{index}]",
                             ("file_ids", "chunking_strategy", "metadata"))


def _check_ids(ids: Any, param: str, max_items: int) -> None:
    for index, item in enumerate(check_array(ids, param, max_items, nullable=True)):
        check_string(item, f"{param}[{index}]")


def check_metadata(metadata: Any) -> None:
    metadata = check_object(metadata, "metadata", nullable=True)
    if len(metadata) > limits.METADATA_PAIRS_MAX:
        raise invalid(
            f"Invalid 'metadata': too many properties. Expected an object with at most "
            f"{limits.METADATA_PAIRS_MAX} properties, but got an object with {len(metadata)} "
            f"properties instead.", "metadata", "object_above_max_properties")
    for key, value in metadata.items():
        if len(key) > limits.METADATA_KEY_MAX:
            raise invalid(
                f"Invalid 'metadata': key too long. Expected keys with maximum length "
                f"{limits.METADATA_KEY_MAX}, but got a key with length {len(key)} instead.",
                "metadata", "string_above_max_length")
        check_string(value, f"metadata.{key}", limits.METADATA_VALUE_MAX)


def check_response_format(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        check_choice(value, "response_format", ("auto",))
        return
    fmt = check_object(value, "response_format")
    require(fmt, "type", "response_format.type")
    check_choice(fmt["type"], "response_format.type", RESPONSE_FORMAT_TYPES)
    if fmt["type"] != "json_schema":
        check_object(fmt, "response_format", ("type",))
        return
    check_object(fmt, "response_format", ("type", "json_schema"))
    require(fmt, "json_schema", "response_format.json_schema")
    where = "response_format.json_schema"
    schema = check_object(fmt["json_schema"], where, ("name", "description", "schema", "strict"))
    check_name(schema, where)
    check_string(schema.get("description"), f"{where}.description", nullable=True)
    check_object(schema.get("schema"), f"{where}.schema", nullable=True)
    check_bool(schema.get("strict"), f"{where}.strict")
