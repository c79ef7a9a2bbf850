"""Course 2, week 1: gradient checking, with and without the course's planted mistakes."""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("gradient-checking")
