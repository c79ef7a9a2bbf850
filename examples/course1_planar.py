"""Run the course experiment: the planar flower with one hidden layer (course 1, week 3).

Same as `layerwise course planar`; pass --help for the flags.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("planar")
