"""Course 2, week 1: initialisation on the circles (needs scikit-learn)."""

import sys

from layerwise.course.experiments.initialization import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
