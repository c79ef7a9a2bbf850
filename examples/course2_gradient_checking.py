"""Course 2, week 1: gradient checking, with and without the course's planted mistakes."""

import sys

from layerwise.course.experiments.gradient_checking import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
