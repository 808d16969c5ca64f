"""`python -m index`: the archive commands (ingest, list, stats, show, ask, reindex, delete)."""

import sys

from index.cli import main

sys.exit(main())
