"""``python -m newsdeinterleave``: the same command line as the console script."""

import sys

from newsdeinterleave.cli import main

if __name__ == "__main__":
    sys.exit(main())
