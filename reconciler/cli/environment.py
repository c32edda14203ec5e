"""Where a run connects and who owns it, once the config (and its environment) is known.

Precedence, highest first (docs/configuration.md has the table):
- endpoint: `--endpoint`, the environment's `endpoint`, `ASSISTANTS_ENDPOINT`, the default;
- owner: `--owner`, the environment's `owner`, `ASSISTANTS_OWNER`, the top-level `owner`;
- max deletes: `--max-deletes`, the environment's `max_deletes`, the top-level `max_deletes`, 0.
A flag or variable that overrides the settings file says so on stderr: a mistyped owner plans
the whole fleet anew, a mistyped endpoint plans against the wrong workspace.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.cli.context import RunContext
from reconciler.config.environments import Environment, select
from reconciler.config.loader import Config
from reconciler.config.settings import SETTINGS_FILE, read_settings
from reconciler.config.yaml_source import display_path
from reconciler.errors import ConfigError
from reconciler.marker import require_owner


def use_environment(run: RunContext, config: Config) -> None:
    """Point `run` at the environment's endpoint unless `--endpoint` says otherwise."""
    current = config.environment
    endpoint = current.settings.endpoint if current else None
    if current is None or endpoint is None:
        return
    if run.endpoint and run.endpoint != endpoint:
        run.note_once(f"endpoint from --endpoint overrides the `{current.name}` environment's "
                      f"in {config.settings.source}")
        return
    if not run.local:
        run.endpoint = endpoint


def resolve_owner(run: RunContext, config: Config) -> str:
    """The owner by the precedence above; a missing one says how to set it."""
    settings = config.settings
    env_owner = config.environment.settings.owner if config.environment else None
    variable = run.env.get("ASSISTANTS_OWNER") or None
    if run.owner:
        owner, given = require_owner(run.owner), "--owner"
    elif env_owner:
        return env_owner
    elif variable:
        owner, given = require_owner(variable), "ASSISTANTS_OWNER"
    else:
        return require_owner(settings.owner, settings.source)
    replaced = env_owner or settings.owner
    if replaced and replaced != owner:
        run.note_once(f"owner `{owner}` from {given} overrides `{replaced}` in {settings.source}")
    return owner


def flag_owner(run: RunContext) -> str | None:
    """`--owner`, else `ASSISTANTS_OWNER`: for commands that read no config."""
    return run.owner or run.env.get("ASSISTANTS_OWNER") or None


def max_deletes(flag: int | None, config: Config | None) -> int:
    """`--max-deletes`, else the environment's, else the settings', else 0."""
    if flag is not None:
        return flag
    if config is None:
        return 0
    if config.environment and config.environment.settings.max_deletes is not None:
        return config.environment.settings.max_deletes
    return config.settings.max_deletes or 0


def settings_environment(run: RunContext, root: Path) -> Environment | None:
    """The environment `run` names, from the settings file at `root` (for `import`, which
    reads no config): None without `--env`, or when no settings file declares any."""
    file = root / SETTINGS_FILE
    if not file.is_file():
        if run.environment and run.environment_given == "--env":
            raise ConfigError(f"--env {run.environment}: no {SETTINGS_FILE} in "
                              f"{display_path(root)} declares environments")
        return None
    found, problems = read_settings(file, display_path(file), run.env)
    if problems or found is None:
        raise ConfigError(problems or f"{display_path(file)}: unreadable")
    return select(found.settings, run.environment, run.environment_given)


def import_target(run: RunContext, out_dir: Path) -> tuple[str | None, str | None]:
    """For `import --env NAME`: connect where that environment of the settings in `out_dir`
    (the config root written into) does. The owner by the usual precedence (or None), and the
    environment's name (None without one): the documents written hold that server's ids, so
    they exist in that environment only."""
    found = settings_environment(run, out_dir)
    if found is not None and found.settings.endpoint and not run.endpoint and not run.local:
        run.endpoint = found.settings.endpoint
    owner = run.owner or (found.settings.owner if found else None) or flag_owner(run)
    return (require_owner(owner) if owner else None), (found.name if found else None)
