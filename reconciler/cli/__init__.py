"""The `assistants` command: click commands (`main`) over the session (`session`) that joins
load, list, plan and apply."""
