"""``python -m newsdesk``: the command line."""

import sys

from newsdesk.briefing.cli import main

sys.exit(main())
