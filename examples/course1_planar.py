"""Run the course experiment: the planar flower with one hidden layer (course 1, week 3).

Same as `layerwise course planar`; pass --help for the flags.
"""

import sys

from layerwise.course.experiments.planar import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
