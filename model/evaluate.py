"""Entry point: see echomodel/evaluate.py for the options."""
import sys

from echomodel.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
