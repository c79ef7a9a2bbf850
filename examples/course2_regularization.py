"""Course 2, week 1: L2 and dropout on the football data (needs data.mat: --data-dir)."""

import sys

from layerwise.course.experiments.regularization import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
