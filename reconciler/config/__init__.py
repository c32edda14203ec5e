"""Step 1, the config: YAML files (with their prompts, schemas, variables and settings) in,
validated `DesiredAssistant`s out (`loader.load_config`), or one `ConfigError` naming every
problem with its `path:line:col`. Reads the disk, never the network."""
