"""Entry point: see echomodel/simulate_dicom.py for the options."""
import sys

from echomodel.simulate_dicom import main

if __name__ == "__main__":
    sys.exit(main())
