"""Run the MMRM's many small matrix products on one BLAS thread.

The per-pattern matrices are tiny (visits x visits, visits x p); a multi-threaded BLAS spends
more time waking threads than computing, and on a busy 2-core machine the fit became 10x
slower. ``single_blas_thread()`` limits BLAS to one thread for the duration of a fit (via
threadpoolctl, installed with scikit-learn; without it this is a no-op).
"""

from __future__ import annotations

import contextlib

__all__ = ["single_blas_thread"]

_controller = None


def single_blas_thread():
    """Context manager limiting BLAS to one thread (no-op without threadpoolctl)."""
    global _controller
    try:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        return _controller.limit(limits=1, user_api="blas")
    except Exception:  # threadpoolctl missing or unusable: run as is
        return contextlib.nullcontext()
