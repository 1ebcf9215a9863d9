"""Entry point: see echomodel/export.py for the options."""
import sys

from echomodel.export import main

if __name__ == "__main__":
    sys.exit(main())
