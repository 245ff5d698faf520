"""``python -m localnlb.common.supervisor``: see :mod:`localnlb.common.supervisor.daemon`."""

from localnlb.common.supervisor.daemon import main

raise SystemExit(main())
