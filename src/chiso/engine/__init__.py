"""chiso.engine: composite-index computation (COINr's methods) as a pure NumPy library, with a CLI.

Names are imported on first use (PEP 562), so `import chiso.engine.cli` and `chiso --help`
load neither NumPy nor the uncertainty code.
"""

import sys as _sys
import types as _types
from importlib import import_module as _import_module

from .blas import one_blas_thread as _one_blas_thread

_one_blas_thread()

_EXPORTS = {
    "aggregate": ("a_amean", "a_genmean", "a_gmean", "a_hmean", "a_sum", "aggregate"),
    "batched": ("aggregate_batched", "run_batched"),
    "bootstrap": ("BootstrapResult", "RespondentTable", "bootstrap"),
    "build": ("IndexBuild", "Results", "STEPS", "default_steps", "parse_steps", "resolve_params"),
    "dataset": ("Dataset",),
    "denominate": ("denominate",),
    "errors": ("EngineError", "FrameworkError", "StepError"),
    "framework": ("AggregationTree", "Band", "Framework", "LevelPlan", "Node", "parse_bands"),
    "impute": ("impute", "impute_group", "impute_mean", "impute_median", "impute_panel"),
    "io": ("load", "read_data", "read_framework", "read_idata_csv", "read_imeta_csv", "read_xlsx", "read_yaml",
           "write_idata_csv", "write_imeta_csv", "write_xlsx", "write_yaml"),
    "normalise": ("n_borda", "n_dist2max", "n_dist2ref", "n_dist2targ", "n_fracmax", "n_goalposts", "n_minmax",
                  "n_prank", "n_rank", "n_scaled", "n_zscore", "normalise"),
    "points": ("PointsResult", "capped_sum", "score_framework", "score_points"),
    "rank": ("Change", "StrengthsWeaknesses", "bands", "change", "quantile_bands", "rank", "rank_min",
             "rank_within_groups", "strengths_weaknesses"),
    "screen": ("ScreenResult", "screen"),
    "treat": ("TreatReport", "check_skew_kurt", "kurt", "log_ct", "skew", "treat", "winsorise"),
    "uncertainty": ("Assumption", "SensitivityResult", "SobolIndices", "UncertaintyResult", "noisy_weights",
                    "saltelli_sample", "sensitivity", "sobol_indices", "uncertainty"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'chiso.engine' has no attribute '{name}'")
    value = getattr(_import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *__all__})


class _Package(_types.ModuleType):
    """Importing a submodule sets it as an attribute of the package; where the package exports a
    function of the same name (aggregate, normalise, rank, ...), the function keeps the name, as
    when every name was imported eagerly."""

    def __setattr__(self, name, value):
        if isinstance(value, _types.ModuleType) and _MODULE_OF.get(name) == name and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
