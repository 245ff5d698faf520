"""Options that several commands share, declared once."""

from __future__ import annotations

import argparse


def add_state_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        default=None,
        help="state directory (default: $LOCALNLB_STATE_DIR, else ~/.localnlb)",
    )
