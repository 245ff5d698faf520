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
        choices=("auto", "user", "kernel"),
        default=os.environ.get(DATAPLANE_ENGINE_VARIABLE) or "auto",
        help=(
            "who forwards LB traffic: kernel (Linux: nftables DNAT + conntrack; root only),"
            " user (LB node worker processes relay it) or auto (kernel where it can run, else"
            " user). Default: $LOCALNLB_DATAPLANE_ENGINE, else auto. See docs/data-plane.md"
        ),
    )
