"""The C extension of the query kernels (``index/search/_kernels.c``; ``kernels.py`` says why).

Everything else about the package is in ``pyproject.toml``; setuptools reads both. A checkout
builds it in place with ``python setup.py build_ext --inplace``; ``pip install -e .`` builds it
too. The flags keep the float64 operations as written (no fast-math, no FMA contraction), so
scores are the same bits as the numpy evaluation's.
"""

import numpy
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "index.search._kernels",
            sources=["index/search/_kernels.c"],
            depends=["index/search/_packed_rows.h", "index/search/_term_table.h"],
            include_dirs=[numpy.get_include()],
            extra_compile_args=["-O2", "-fno-fast-math", "-ffp-contract=off"],
        )
    ]
)
