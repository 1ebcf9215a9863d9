"""Entry point: see echomodel/pipeline_eval.py for the options."""
import sys

from echomodel.pipeline_eval import main

if __name__ == "__main__":
    sys.exit(main())
