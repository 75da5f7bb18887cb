"""`python -m tracefork.auto script.py [args...]`: runs the script with register() done first and
spans flushed at exit, with no change to its code. (Importing this module registers: the one
module with an import-time side effect, by design.)"""

from __future__ import annotations

import runpy
import sys

from ._register import register

registration = register()


def main(argv: list[str]) -> None:
    """Runs argv[0] as __main__ with argv as its sys.argv."""
    if not argv:
        sys.stderr.write("usage: python -m tracefork.auto script.py [args...]\n")
        raise SystemExit(2)
    sys.argv = list(argv)
    try:
        runpy.run_path(argv[0], run_name="__main__")
    finally:
        registration.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
