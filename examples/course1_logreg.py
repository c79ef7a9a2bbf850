"""Run the course experiment: logistic regression on the cats (course 1, week 2).

Same as `layerwise course logreg`; pass --help for the flags.
"""

import sys

from layerwise.course.experiments.logreg import main
from layerwise.errors import LayerwiseError

if __name__ == "__main__":
    try:
        sys.exit(main())
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
