"""Run the course experiment: logistic regression on the cats (course 1, week 2).

Same as `layerwise course logreg`; pass --help for the flags.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("logreg")
