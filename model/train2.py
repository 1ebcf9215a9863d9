"""Entry point: train model 0.3 (echomodel/train2.py)."""
import sys

from echomodel.train2 import main

if __name__ == "__main__":
    sys.exit(main())
