"""``python -m maskkit``: the ``maskkit`` console script (see :mod:`maskkit._cli`)."""

from ._cli import main

raise SystemExit(main())
