"""Course 2, week 2: gd, momentum, Adam and learning-rate decay on the moons (scikit-learn)."""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("optimization")
