"""The cyclic garbage collector, paused while a plan or a large load builds its objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while a plan (or a load) runs. A plan allocates
    millions of long-lived objects that hold no reference cycles (the config, the live
    assistants); every full collection scans them all again, which took a quarter of the CPU
    of a 10,000-assistant plan.

    With `freeze` (a process that ends with the command), the objects alive are frozen
    (`gc.freeze`) before it is back on: the first collection after a plan, and the last one as
    the interpreter exits, would scan them all once more (0.4 s at 10,000 assistants).
    Reference counting still frees them; what is lost is the collection of a reference cycle
    made before and dropped after, which a long-lived process (a test run) could not afford."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()
