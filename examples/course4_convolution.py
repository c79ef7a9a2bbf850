"""Run the course experiment: convolutional networks step by step (course 4, week 1).

Same as `layerwise course convolution`; pass --help for the flags.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("convolution")
