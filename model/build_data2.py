"""Entry point: build the prep-2 simulated sets (echomodel/data2.py)."""
import sys

from echomodel.data2 import main

if __name__ == "__main__":
    sys.exit(main())
