"""Run the course experiment: the two-layer cat classifier (course 1, week 4).

Same as `layerwise course two-layer`; pass --help for the flags.
"""

import sys

from layerwise.course.experiments.two_layer import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
