"""Run the course experiment: transfer learning from the digits 0-4 to 5-9 (course 4).

Same as `layerwise course transfer`; pass --help for the flags.
"""

from layerwise.course.experiments import run_example

if __name__ == "__main__":
    run_example("transfer")
