"""Course 2, week 1: initialisation on the circles (needs scikit-learn)."""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("initialization")
