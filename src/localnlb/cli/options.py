"""Options that several commands share, declared once."""

from __future__ import annotations

import argparse
import os


def add_state_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        default=None,
        help="state directory (default: $LOCALNLB_STATE_DIR, else ~/.localnlb)",
    )


# How ``up`` hands its --dataplane-engine to the elbv2 component it supervises.
DATAPLANE_ENGINE_VARIABLE = "LOCALNLB_DATAPLANE_ENGINE"


def add_dataplane_engine_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataplane-engine",
        choices=("user", "kernel"),
        default=os.environ.get(DATAPLANE_ENGINE_VARIABLE) or "user",
        help=(
            "who forwards LB traffic: user (default; LB node worker processes relay it) or"
            " kernel (Linux does: nftables DNAT + conntrack, root only; much faster, see"
            " docs/data-plane.md). Default: $LOCALNLB_DATAPLANE_ENGINE, else user"
        ),
    )
