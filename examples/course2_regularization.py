"""Course 2, week 1: L2 and dropout on the football data (needs data.mat: --data-dir)."""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("regularization")
