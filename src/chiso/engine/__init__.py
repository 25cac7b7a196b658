"""chiso.engine: composite-index computation (COINr's methods) as a pure NumPy library, with a CLI."""

from .aggregate import a_amean, a_genmean, a_gmean, a_hmean, a_sum, aggregate
from .batched import aggregate_batched, run_batched
from .bootstrap import BootstrapResult, RespondentTable, bootstrap
from .build import IndexBuild, Results, STEPS, default_steps, parse_steps, resolve_params
from .dataset import Dataset
from .denominate import denominate
from .errors import EngineError, FrameworkError, StepError
from .framework import AggregationTree, Band, Framework, LevelPlan, Node, parse_bands
from .impute import impute, impute_group, impute_mean, impute_median, impute_panel
from .io import (load, read_data, read_framework, read_idata_csv, read_imeta_csv, read_xlsx, read_yaml,
                 write_idata_csv, write_imeta_csv, write_xlsx, write_yaml)
from .normalise import (n_borda, n_dist2max, n_dist2ref, n_dist2targ, n_fracmax, n_goalposts, n_minmax,
                        n_prank, n_rank, n_scaled, n_zscore, normalise)
from .points import PointsResult, capped_sum, score_framework, score_points
from .rank import (Change, StrengthsWeaknesses, bands, change, quantile_bands, rank, rank_min,
                   rank_within_groups, strengths_weaknesses)
from .screen import ScreenResult, screen
from .treat import TreatReport, check_skew_kurt, kurt, log_ct, skew, treat, winsorise
from .uncertainty import (Assumption, SensitivityResult, SobolIndices, UncertaintyResult, noisy_weights,
                          saltelli_sample, sensitivity, sobol_indices, uncertainty)

__all__ = [
    "Assumption", "BootstrapResult", "RespondentTable", "SensitivityResult", "SobolIndices", "UncertaintyResult",
    "aggregate_batched", "bootstrap", "noisy_weights", "run_batched", "saltelli_sample", "sensitivity",
    "sobol_indices", "uncertainty",
    "AggregationTree", "Band", "Change", "Dataset", "EngineError", "Framework", "FrameworkError",
    "IndexBuild", "LevelPlan", "Node", "PointsResult", "Results", "STEPS", "ScreenResult", "StepError",
    "StrengthsWeaknesses", "TreatReport", "a_amean", "a_genmean", "a_gmean", "a_hmean", "a_sum",
    "aggregate", "bands", "capped_sum", "change", "check_skew_kurt", "default_steps", "denominate",
    "impute", "impute_group", "parse_steps", "impute_mean", "impute_median", "impute_panel", "kurt", "load", "log_ct",
    "n_borda", "n_dist2max", "n_dist2ref", "n_dist2targ", "n_fracmax", "n_goalposts", "n_minmax",
    "n_prank", "n_rank", "n_scaled", "n_zscore", "normalise", "parse_bands", "quantile_bands", "rank",
    "rank_min", "rank_within_groups", "read_data", "read_framework", "read_idata_csv", "read_imeta_csv",
    "read_xlsx", "read_yaml", "resolve_params", "score_framework", "score_points", "screen", "skew",
    "strengths_weaknesses", "treat", "winsorise", "write_idata_csv", "write_imeta_csv", "write_xlsx",
    "write_yaml",
]
