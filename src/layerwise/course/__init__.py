"""The course's own functions, assignment by assignment, on layerwise's kernels.

``../shared/COURSE.md`` (in the project's shared folder) is the contract: names,
signatures, return structures, seeds and draw order follow the current revision of the
Deep Learning Specialization's programming assignments, so their published numbers
are reproduced. This package is the one place that uses NumPy's legacy global
generator (``np.random.seed``), because the course's numbers depend on it.

Modules: ``logistic``, ``shallow``, ``deep``, ``deep_application`` (course 1);
``initialization``, ``regularization``, ``gradient_checking``, ``optimization`` (course 2);
``convolution`` (course 4).
The runnable experiments are in ``layerwise.course.experiments``.
"""
