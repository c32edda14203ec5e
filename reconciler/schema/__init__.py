"""JSON Schemas for editors (yaml-language-server) and CI linters, built from the models the
config is validated with: `document.yaml_json_schema` (one document, of any kind) and
`settings.settings_json_schema` (`assistants.project.yaml`). Nothing in the pipeline uses them;
`assistants schema` prints them."""
