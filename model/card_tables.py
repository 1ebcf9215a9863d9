"""Entry point: markdown tables for docs/model-card.md from an eval's metrics.json (echomodel/card_tables.py)."""
import sys

from echomodel.card_tables import main

if __name__ == "__main__":
    main(sys.argv[1])
