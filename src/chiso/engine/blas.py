"""BLAS on one thread: the engine's matrix products are small, and a second thread only waits for a busy core.

Imported first by the package (before NumPy when chiso.engine is imported first, as by the
`chiso` command): the OpenBLAS/MKL thread-count variables are set, unless the user set them,
so the library starts with one thread (it also starts faster). When NumPy is already loaded
(a host application imported it first) the loaded BLAS is limited through threadpoolctl.
"""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
_done = False


def one_blas_thread() -> None:
    """Limit BLAS to one thread for this process (once; a user's own setting is kept)."""
    global _done
    if _done:
        return
    _done = True
    if any(v in os.environ for v in THREAD_VARIABLES):
        return  # the user chose
    if "numpy" not in sys.modules:
        for v in THREAD_VARIABLES:
            os.environ[v] = "1"
        return
    try:
        # lazy: only when NumPy was loaded first; the `chiso` command never needs it (issue 22)
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; without it BLAS keeps its threads
        return
    threadpool_limits(limits=1, user_api="blas")
