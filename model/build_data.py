"""Entry point: see echomodel/build_data.py for the options."""
import sys

from echomodel.build_data import main

if __name__ == "__main__":
    sys.exit(main())
