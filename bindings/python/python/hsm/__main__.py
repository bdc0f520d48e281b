"""``python -m hsm --version`` prints ``hsm <version>``."""

from __future__ import annotations

import argparse
import sys

import hsm


def main(argv: list[str] | None = None) -> int:
    """Parse the command line; only ``--version`` (and ``--help``) exist."""
    parser = argparse.ArgumentParser(
        prog="python -m hsm",
        description="libhsm for Python. Use `import hsm`; the command line tool is `hsm`.",
    )
    parser.add_argument(
        "--version", action="version", version=f"hsm {hsm.__version__}"
    )
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
