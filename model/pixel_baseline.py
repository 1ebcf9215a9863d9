"""Entry point: see echomodel/pixel_baseline.py for the options."""
import sys

from echomodel.pixel_baseline import main

if __name__ == "__main__":
    sys.exit(main())
