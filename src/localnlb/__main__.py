"""``python -m localnlb``: the same as the ``localnlb`` console script."""

from localnlb.cli.main import main

raise SystemExit(main())
