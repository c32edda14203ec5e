"""`${VAR}` and `${VAR:-default}` in the string values of a YAML document.

Keys are never substituted, nor the contents of referenced files. `$${` is a literal `${`. An
unset variable without a default is an error naming it, never an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from reconciler.config.yaml_marks import SCALAR_TAGS, STR_TAG, DataPath
from reconciler.config.yaml_source import YamlDocument
from reconciler.errors import Problem

_VAR = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def substitute(doc: YamlDocument, env: Mapping[str, str], *,
               template: bool = False) -> list[Problem]:
    """Replace `${VAR}` and `${VAR:-default}` in every string value of `doc` (not in keys);
    `$${` stands for a literal `${`. A plain scalar is typed again after substitution, as YAML
    would type the resulting text (`temperature: ${T:-0.2}` is a number); a quoted one stays a
    string. In a fleet's `template`, `${each.FIELD}` and `$${` are left for fleet.expand."""
    problems: list[Problem] = []
    doc.data = _walk(doc, doc.data, (), env, problems, template)
    return problems


def _walk(doc: YamlDocument, value: Any, path: DataPath, env: Mapping[str, str],
          problems: list[Problem], template: bool) -> Any:
    if isinstance(value, dict):
        return {k: _walk(doc, v, (*path, k), env, problems, template) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(doc, v, (*path, i), env, problems, template) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value
    errors: list[str] = []
    result = _VAR.sub(lambda m: _replace(m, env, errors, template), value)
    for message in errors:
        problems.append(doc.problem(path, message))
    located = doc.marks.get(path)
    if located is not None and located.plain and not errors:
        return retype(result)
    return result


def _replace(match: re.Match[str], env: Mapping[str, str], errors: list[str],
             template: bool = False) -> str:
    text = match.group(0)
    if text == "$${":
        return text if template else "${"
    body = match.group(1)
    if body is None:
        errors.append("unclosed `${` (write `$${` for a literal `${`)")
        return text
    name, sep, default = body.partition(":-")
    if template and name.startswith("each."):
        return text
    if name.startswith("each."):
        errors.append(f"`{text}` is for fleets: add `for_each` or `for_each_file` to this "
                      f"document (or write `$${{` for a literal `${{`)")
        return text
    if not _NAME.fullmatch(name):
        errors.append(f"bad variable reference `{text}`: expected `${{NAME}}` or "
                      f"`${{NAME:-default}}` (write `$${{` for a literal `${{`)")
        return text
    if name in env:
        return env[name]
    if sep:
        return default
    errors.append(f"variable `{name}` is not set (set it, or give a default: "
                  f"`${{{name}:-value}}`)")
    return text


def retype(text: str) -> Any:
    # A bare Resolver and SafeConstructor: a whole SafeLoader is a reference cycle per call.
    tag = Resolver().resolve(ScalarNode, text, (True, False))
    if tag in SCALAR_TAGS and tag != STR_TAG:
        return SafeConstructor().construct_object(ScalarNode(tag, text))
    return text
