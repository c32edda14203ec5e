"""`assistants migrate`: assistant documents -> agent documents, and the loss report.

    layout.py     which files PATH holds, where each one goes under DIR, path rewriting
    yaml_edit.py  round-trip YAML (ruamel.yaml): keys moved, renamed, removed, comments kept
    mapping.py    one assistant document (or one environment's override) -> an agent's fields
    tools.py      the parts of that mapping for `tools` and `response_format`
    findings.py   what the mapping carried, lost and supplied, per assistant, and the report
    run.py        validate the input with the project's loader, map every file, write them
    render.py     the report as text, Markdown or JSON, to a stream it is given
"""
