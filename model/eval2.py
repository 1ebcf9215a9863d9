"""Entry point: gates and figures of model 0.3 (echomodel/eval2.py)."""
import sys

from echomodel.eval2 import main

if __name__ == "__main__":
    sys.exit(main())
