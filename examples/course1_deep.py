"""Run the course experiment: the L-layer cat classifier (course 1, week 4).

Same as `layerwise course deep`; pass --help for the flags.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("deep")
