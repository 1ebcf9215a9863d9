"""Entry point: see echomodel/vjepa2.py for the options."""
import sys

from echomodel.vjepa2 import main

if __name__ == "__main__":
    sys.exit(main())
