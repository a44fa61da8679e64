import sys

from synthdoc.cli import main

sys.exit(main())
