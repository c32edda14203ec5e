"""Step 1, the config: YAML files (with their prompts, schemas, variables and settings) in,
validated documents of every kind out (`loader.load_config`), resolved for an owner into the
values a plan compares (`Config.resolve`, resolved.py), or one `ConfigError` naming every
problem with its `path:line:col`. Reads the disk, never the network."""
