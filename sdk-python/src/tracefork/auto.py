"""`python -m tracefork.auto script.py [args...]`: runs the script with register() done first and
spans flushed at exit, with no change to its code. The script's whole run is one run in Tracefork:
a step named after the script encloses it (its calls would otherwise each start a run of their own).
(Importing this module registers: the one module with an import-time side effect, by design.)"""

from __future__ import annotations

import os
import runpy
import sys

from ._generic import step
from ._register import register

registration = register()


def main(argv: list[str]) -> None:
    """Runs argv[0] as __main__ with argv as its sys.argv."""
    if not argv:
        sys.stderr.write("usage: python -m tracefork.auto script.py [args...]\n")
        raise SystemExit(2)
    sys.argv = list(argv)
    name = os.path.splitext(os.path.basename(argv[0]))[0] or "script"
    try:
        with step(name):
            runpy.run_path(argv[0], run_name="__main__")
    finally:
        registration.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
