"""Course 2, week 2: gd, momentum, Adam and learning-rate decay on the moons (scikit-learn)."""

import sys

from layerwise.course.experiments.optimization import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
