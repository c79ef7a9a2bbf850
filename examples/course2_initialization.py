"""Course 2, week 1: initialisation on the circles (needs scikit-learn)."""

import sys

from layerwise.course.experiments.initialization import main

if __name__ == "__main__":
    sys.exit(main())
