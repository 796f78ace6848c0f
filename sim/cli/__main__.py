"""``python -m sim.cli``: the ``sim`` command."""

import sys

from sim.cli.app import main

sys.exit(main())
