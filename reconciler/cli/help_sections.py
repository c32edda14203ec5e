"""Help pages with a second heading: options a user rarely needs (`serve`'s fault injection)
are listed under "Testing options", after the ones every user reads."""

from __future__ import annotations

import click

TESTING = "Testing options"


class TestingOption(click.Option):
    """An option listed under the "Testing options" heading of a `SectionedCommand`."""

    section = TESTING


class SectionedCommand(click.Command):
    """A command whose help lists its options by section: the plain ones first, under
    "Options", then each `section` named by an option class, in order of appearance."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                sections.setdefault(getattr(param, "section", "Options"), []).append(record)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)
