"""Run the course experiment: the L-layer cat classifier (course 1, week 4).

Same as `layerwise course deep`; pass --help for the flags.
"""

import sys

from layerwise.course.experiments.deep import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
