"""Entry point: see echomodel/train.py for the options."""
import sys

from echomodel.train import main

if __name__ == "__main__":
    sys.exit(main())
