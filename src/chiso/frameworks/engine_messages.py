"""The engine's messages in the user's language, by code.

The engine stays free of Django: each of its errors carries a stable code and parameters
(chiso.engine.errors.Message; the English templates: chiso.engine.messages). Here each code has
its template through gettext — the same English as the engine's, so the catalogue gives the
Vietnamese — filled with the same parameters. tests/frameworks/test_engine_messages.py fails when
an engine code has no template here, when the English differs, or when the catalogue lacks it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from chiso.engine.errors import EngineError, FrameworkError, render

TRANSLATIONS = {
    "at": _("%(where)s: %(problem)s"),
    "where.row": _("row %(row)s"),
    "where.code": _("'%(code)s'"),
    "where.row_column": _("row %(row)s, column '%(column)s'"),
    "problems_found": _("%(count)s problems found:"),
    "and_more": _("... and %(more)s more"),
    "framework.no_icode_column": _("no 'iCode' column: is this a framework (iMeta) file?"),
    "framework.missing_icode": _("missing iCode"),
    "framework.level_not_whole": _("Level of '%(code)s' is not a whole number: %(value)r"),
    "framework.missing_type": _("missing Type for '%(code)s'"),
    "framework.unknown_type": _("unknown Type '%(type)s' for '%(code)s' (expected one of %(types)s)"),
    "framework.weight_missing": _("Weight of '%(code)s' is missing"),
    "framework.weight_not_number": _("Weight of '%(code)s' is not a number: %(value)r"),
    "framework.direction_invalid": _("Direction of '%(code)s' must be 1 or -1, not %(value)r"),
    "framework.value_not_number": _("%(label)s of '%(code)s' is not a number: %(value)r"),
    "framework.bands_unreadable": _("Bands of '%(code)s' cannot be read: %(value)r (write e.g. 'A>=90; B>=80; C')"),
    "framework.duplicate_code": _("duplicate code '%(code)s' (first at %(first)s)"),
    "framework.no_indicators": _("the framework has no indicators"),
    "framework.no_level": _("'%(code)s' has no Level"),
    "framework.indicator_level": _("indicator '%(code)s' must be at Level 1, not %(level)s"),
    "framework.aggregate_level": _("aggregate '%(code)s' must be at Level 2 or above, not %(level)s"),
    "framework.orphan": _("'%(code)s' (Level %(level)s) has no parent (orphan)"),
    "framework.unknown_parent": _("unknown parent '%(parent)s' of '%(code)s'"),
    "framework.parent_not_aggregate": _("parent '%(parent)s' of '%(code)s' is a %(type)s, not an Aggregate"),
    "framework.parent_level": _("parent '%(parent)s' (Level %(parent_level)s) of '%(code)s' must be at a higher "
        "level than Level %(level)s"),
    "framework.no_children": _("aggregate '%(code)s' has no children"),
    "framework.cycle": _("cycle in parents: %(cycle)s"),
    "framework.row_cannot_have_parent": _("%(type)s row '%(code)s' cannot have a parent"),
    "framework.not_a_denominator": _("denominator '%(denominator)s' of '%(code)s' is not a Denominator row"),
    "data.indicator_no_column": _("indicator '%(code)s'%(row)s has no data column"),
    "data.other_no_column": _("%(type)s column '%(code)s'%(row)s has no data column"),
    "data.imeta_row": _(" (iMeta row %(row)s)"),
    "data.unknown_column": _("column %(position)s '%(column)s': no indicator (or other iMeta row) with this code"),
    "data.aggregate_column": _("column %(position)s '%(column)s' is an aggregate: aggregates are computed, not read"),
    "data.no_ucode_column": _("no 'uCode' column (unit codes)"),
    "data.not_a_number": _("%(value)r is not a number"),
    "data.missing_ucode": _("missing uCode"),
    "data.duplicate_unit": _("duplicate uCode '%(unit)s' (first at row %(first)s)"),
    "data.duplicate_unit_time": _("duplicate unit '%(unit)s' at Time %(time)s (first at row %(first)s)"),
    "file.empty": _("the file is empty"),
    "file.not_utf8": _("not UTF-8 text (%(reason)s at byte %(byte)s)"),
    "file.not_csv": _("not a readable CSV file: %(error)s"),
    "file.not_yaml": _("not valid YAML: %(error)s"),
    "file.yaml_no_imeta": _("expected a mapping with an 'iMeta' list of nodes"),
    "file.yaml_idata_not_list": _("'iData' must be a list of mappings, one per unit"),
    "file.not_xlsx": _("not a readable XLSX workbook: %(error)s"),
    "file.no_imeta_sheet": _("no sheet named 'iMeta' (the framework tree)"),
    "file.no_idata": _("no iData (unit data) found"),
    "file.no_coinr6_sheet": _("no sheet '%(sheet)s': is this a COINr < 1.0 workbook?"),
    "file.empty_file": _("empty file"),
    "file.no_column": _("no '%(column)s' column"),
    "file.no_columns": _("no column(s) %(columns)s"),
    "steps.unknown_step": _("unknown step '%(step)s' (one of %(steps)s)"),
    "steps.unknown_parameters": _("%(step)s: unknown parameter(s) %(unknown)s (known: %(known)s)"),
    "steps.not_a_list": _("%(source)s: expected 'steps:' followed by a list of steps"),
    "steps.item_not_step": _("%(source)s: step %(index)s must be a step name or a mapping {name: {parameters}}"),
    "steps.params_not_mapping": _("%(source)s: step %(index)s (%(step)s): parameters must be a mapping"),
    "steps.in_step": _("%(source)s: step %(index)s: %(error)s"),
    "build.keep_invalid": _("IndexBuild: keep must be 'all' or 'last'"),
    "build.kept_last": _("this build kept only its last data set (keep='last')"),
    "build.no_step": _("no step '%(step)s' in this build"),
    "build.no_aggregates": _("no aggregates computed yet: run aggregate (or points) first"),
    "build.cannot_replay": _("this build kept only its last data set (keep='last'): it cannot be replayed"),
    "build.replay_path": _("replay: a change is addressed by (step, parameter, ...), not %(path)r"),
    "build.no_log_entry": _("no log entry %(index)s: the build has %(count)s steps"),
    "build.no_step_named": _("no step '%(step)s' in this build (steps: %(steps)s)"),
    "build.no_aggregate_step": _("the build has no aggregate step: run aggregate first"),
    "denominate.not_in_data": _("denominate: not in the data: %(missing)s"),
    "denominate.indicator": _("'%(code)s'"),
    "denominate.denominator": _("denominator '%(code)s'"),
    "screen.unknown_unit_screen": _("screen: unknown unit_screen '%(value)s' (one of %(allowed)s)"),
    "screen.thresholds": _("screen: dat_thresh and nonzero_thresh must be between 0 and 1"),
    "screen.force_needs_units": _("screen: 'force' needs unit codes"),
    "screen.forced_not_in_data": _("screen: forced units not in the data: %(units)s"),
    "impute.no_data": _("impute: no data at all for %(codes)s: cannot impute"),
    "impute.unknown_statistic": _("impute: unknown group statistic '%(statistic)s'"),
    "impute.panel_two_times": _("impute panel: needs data for at least two time points (a Time column)"),
    "impute.unknown_method": _("impute: unknown method '%(method)s' (one of %(methods)s)"),
    "impute.panel_needs_units_time": _("impute panel: needs unit codes and a Time column"),
    "impute.needs_group": _("impute %(method)s: needs a group column ('group')"),
    "impute.name_group": _("impute %(method)s: name the group column with 'group'"),
    "impute.group_not_in_data": _("impute: group column '%(group)s' is not in the data"),
    "treat.unknown_parameters": _("treat: unknown parameters: %(unknown)s"),
    "treat.unknown_indicators": _("treat: overrides for unknown indicators: %(codes)s"),
    "treat.override_not_mapping": _("treat: override for '%(code)s' must be 'none' or a mapping of parameters"),
    "treat.unknown_parameters_for": _("treat: unknown parameters for '%(code)s': %(unknown)s"),
    "treat.f1_f2": _("treat: f1 must be one of %(f1)s and f2 one of %(f2)s"),
    "normalise.zscore_sd": _("zscore: the target standard deviation must be positive"),
    "normalise.unknown_method": _("normalise: unknown method '%(method)s' (one of %(methods)s)"),
    "normalise.dist2ref_needs_ref": _("normalise dist2ref: needs a reference unit ('ref')"),
    "normalise.dist2targ_no_target": _("normalise dist2targ: an indicator has no target"),
    "normalise.goalposts_missing": _("normalise goalposts: an indicator has no lower or upper goalpost"),
    "normalise.overrides_need_codes": _("normalise: per-indicator overrides need the column codes"),
    "normalise.unknown_indicators": _("normalise: overrides for unknown indicators: %(codes)s"),
    "normalise.parameter_required": _("normalise: parameter '%(name)s' is required"),
    "normalise.one_per_indicator": _("normalise: '%(name)s' must have one value per indicator"),
    "normalise.two_numbers": _("normalise: '%(name)s' must be two numbers, e.g. [0, 100]"),
    "normalise.ref_not_in_data": _("normalise dist2ref: reference unit '%(unit)s' is not in the data"),
    "normalise.attr_unknown_indicators": _("normalise: %(attribute)s for unknown indicators: %(codes)s"),
    "aggregate.cannot_take": _("aggregate: the %(mean)s cannot take %(what)s; normalise to a positive range "
        "first (e.g. minmax 1-100) or use another method. Found at %(found)s"),
    "aggregate.mean.gmean": _("geometric mean"),
    "aggregate.mean.hmean": _("harmonic mean"),
    "aggregate.mean.genmean": _("generalised mean"),
    "aggregate.what.zero_negative": _("zero or negative values"),
    "aggregate.what.zero_negative_p": _("zero or negative values (with p < 0)"),
    "aggregate.what.zero": _("zero values"),
    "aggregate.found": _("'%(parent)s': children %(children)s for units %(units)s%(more)s"),
    "aggregate.found_more": _(" and %(count)s more"),
    "aggregate.found_more_aggregates": _("and %(count)s more aggregates"),
    "aggregate.columns": _("aggregate: expected %(expected)s indicator columns, got %(got)s"),
    "aggregate.unknown_method": _("aggregate: unknown method '%(method)s' (one of %(methods)s)"),
    "aggregate.unknown_weights": _("aggregate: weights for unknown codes: %(codes)s"),
    "aggregate.genmean_p": _("aggregate: the generalised mean needs a non-zero exponent p (p = 0 is the "
        "geometric mean: use gmean)"),
    "aggregate.not_in_data": _("aggregate: indicators not in the data: %(codes)s"),
    "aggregate.weight_sets": _("aggregate: %(datasets)s data sets but %(weights)s weight vectors"),
    "batch.shape": _("batch: data sets of shape %(shape)s do not match the build's %(expected)s (units x columns)"),
    "batch.step_shape": _("batch: step '%(step)s' gave %(shape)s, the build %(expected)s"),
    "points.output": _("points: output must be 'percent' or 'points'"),
    "points.column_not_in_data": _("points: bonus/penalty column '%(column)s' is not in the data"),
    "points.column_not_numbers": _("points: column '%(column)s' holds values that are not numbers"),
    "points.max_points_per_node": _("points: max_points needs one value per node"),
    "points.items_without_max": _("points: items without max_points: %(codes)s"),
    "points.unknown_node": _("points: bonus/penalty for unknown node '%(code)s'"),
    "respondents.shape": _("respondents: values must be (rows x items) = (%(rows)s x %(items)s), got %(shape)s"),
    "respondents.duplicate_items": _("respondents: duplicate item codes"),
    "respondents.no_rows": _("respondents: the table has no rows"),
    "respondents.one_stratum_per_row": _("respondents: one stratum per row"),
    "bootstrap.level": _("bootstrap: level must be between 0 and 1 (0.9 = 90 %%)"),
    "bootstrap.n": _("bootstrap: n must be at least 1"),
    "bootstrap.panel": _("bootstrap: panel data (several Time points): bootstrap one time point at a time"),
    "bootstrap.codes": _("bootstrap: name the indicator codes the indicators function returns ('codes')"),
    "bootstrap.not_indicators": _("bootstrap: not indicators of the build's data: %(codes)s"),
    "bootstrap.unknown_units": _("bootstrap: respondents rate units that are not in the data: %(units)s%(more)s"),
    "bootstrap.more": _(" and %(count)s more"),
    "bootstrap.returned_shape": _("bootstrap: the indicators function returned %(shape)s, expected %(expected)s "
        "(replications, units, codes)"),
    "bootstrap.target": _("bootstrap: target '%(target)s' is not an aggregate this build computes"),
    "assumptions.not_a_list": _("%(source)s: expected 'assumptions:' followed by a list"),
    "assumptions.where": _("%(source)s: assumption %(index)s"),
    "assumptions.named": _("%(where)s (%(name)s)"),
    "assumptions.not_mapping": _("%(where)s: must be a mapping with name, path and alternatives/uniform/noise"),
    "assumptions.unknown_keys": _("%(where)s: unknown key(s) %(keys)s"),
    "assumptions.one_kind": _("%(where)s: give exactly one of alternatives, uniform or noise"),
    "assumptions.path_not_list": _("%(where)s: 'path' must be a list such as [normalise, method]"),
    "assumptions.alternatives_empty": _("%(where)s: 'alternatives' must be a non-empty list"),
    "assumptions.uniform_two_numbers": _("%(where)s: 'uniform' must be two numbers [low, high]"),
    "assumptions.noise_number": _("%(where)s: 'noise' must be a number such as 0.25 (±25 %%)"),
    "assumptions.levels_list": _("%(where)s: 'levels' must be a list of level numbers"),
    "spec.not_mapping": _("%(source)s: expected a mapping with 'assumptions:'"),
    "spec.unknown_keys": _("%(source)s: unknown key(s) %(keys)s"),
    "spec.whole_number": _("%(source)s: '%(key)s' must be a whole number"),
    "spec.on_failure": _("%(source)s: on_failure must be 'raise' or 'nan'"),
    "uncertainty.no_steps": _("uncertainty: the build has no steps"),
    "uncertainty.no_assumptions": _("uncertainty: no assumptions given"),
    "uncertainty.panel": _("uncertainty: panel data (several Time points): analyse one time point at a time"),
    "uncertainty.names_unique": _("uncertainty: assumption names must be unique: %(names)s"),
    "uncertainty.target": _("uncertainty: target '%(target)s' is not an aggregate this build computes (%(codes)s)"),
    "uncertainty.one_weights": _("uncertainty: one weights assumption at most (give it several levels instead)"),
    "uncertainty.on_failure": _("uncertainty: on_failure must be 'raise' or 'nan'"),
    "uncertainty.n": _("uncertainty: n must be at least 1"),
    "uncertainty.none_ran": _("uncertainty: no replication could run"),
    "uncertainty.combination": _("uncertainty: the combination %(combination)s cannot run: %(error)s "
        "(on_failure='nan' records such replications as missing, as COINr does)"),
    "assumption.path_start": _("assumption '%(name)s': a path starts with a step name or log index, not %(key)r"),
    "assumption.no_log_entry": _("assumption '%(name)s': no log entry %(index)s: the build has %(count)s steps"),
    "assumption.no_step": _("assumption '%(name)s': the path %(path)s is not in the build's log: no step "
        "'%(step)s' (steps: %(steps)s)"),
    "assumption.empty_path": _("assumption '%(name)s': empty path"),
    "assumption.not_logged": _("assumption '%(name)s': the path %(path)s is not in the build's log: the "
        "%(step)s step logs %(logged)s"),
    "assumption.too_deep": _("assumption '%(name)s': the path %(path)s goes deeper than the %(step)s step's "
        "parameters"),
    "assumption.not_mapping": _("assumption '%(name)s': the path %(path)s is not in the build's log: the "
        "%(step)s step's %(key)s is %(value)r, not a mapping"),
    "assumption.not_a_code": _("assumption '%(name)s': the path %(path)s is not in the build's log: '%(code)s' "
        "is not a code of this framework"),
    "assumption.noise_path": _("assumption '%(name)s': weight noise applies to an aggregate step's weights, "
        "path [aggregate, weights], not %(path)s"),
    "assumption.noise_last_step": _("assumption '%(name)s': weight noise needs the aggregate step to be the build's "
        "last step, and only one"),
    "assumption.noise_range": _("assumption '%(name)s': noise must be in [0, 1) (0.25 = ±25 %%), not %(noise)s"),
    "assumption.no_weights_at_levels": _("assumption '%(name)s': no weights at level(s) %(levels)s (weighted levels: "
        "%(known)s)"),
    "assumption.sets": _("assumption '%(name)s': sets must be at least 1"),
    "assumption.uniform_path": _("assumption '%(name)s': a uniform range needs a parameter path, e.g. [treat, winmax]"),
    "assumption.uniform_order": _("assumption '%(name)s': uniform needs low < high, not %(low)s, %(high)s"),
    "assumption.no_alternatives": _("assumption '%(name)s': no alternatives"),
    "assumption.whole_step": _("assumption '%(name)s': the path [%(step)s] is a whole step, so each alternative "
        "is a mapping of its parameters, not %(value)r"),
    "assumption.does_not_apply": _("%(what)s does not apply to this build: %(error)s"),
    "assumption.what": _("assumption '%(name)s'"),
    "assumption.what_alternative": _("assumption '%(name)s', alternative %(index)s"),
    "assumption.cannot_run": _("assumption '%(name)s': %(what)s cannot run on this build: %(error)s"),
    "assumption.alternative": _("alternative %(index)s (%(value)s)"),
    "assumption.value": _("the value %(value)s"),
    "assumptions.overlap": _("assumptions '%(first)s' and '%(second)s' both change %(step)s %(parameter)s"),
    "step.unknown_choice": _("%(step)s: unknown %(what)s %(value)r (one of %(allowed)s)"),
    "sensitivity.outputs": _("sensitivity: expected %(expected)s outputs (n (d + 2)), got %(shape)s"),
    "sensitivity.rows": _("sensitivity: fewer than two complete rows of the design"),
    "sensitivity.on_failure": _("sensitivity: on_failure must be 'raise' or 'nan'"),
    "sensitivity.two_assumptions": _("sensitivity: needs at least two assumptions (with one, run an uncertainty "
        "analysis)"),
    "sensitivity.n": _("sensitivity: n must be at least 2"),
    "cli.not_yaml": _("%(path)s: not valid YAML: %(error)s"),
    "cli.imeta_required": _("--imeta is required unless --idata is a YAML or XLSX file holding both"),
    "cli.no_aggregate": _("the steps end without aggregating: add an 'aggregate' step"),
    "cli.normalise_two_numbers": _("--normalise %(spec)s: %(method)s takes two numbers, e.g. %(method)s:0,100"),
    "cli.dist2ref_unit": _("--normalise dist2ref needs a reference unit code, e.g. dist2ref:DEU"),
    "cli.goalposts_scale": _("--normalise %(spec)s: goalposts takes at most a scale, e.g. goalposts:100"),
    "cli.normalise_no_arguments": _("--normalise %(spec)s: %(method)s takes no arguments"),
    "cli.normalise_unknown": _("--normalise %(spec)s: unknown method (use %(methods)s)"),
    "cli.aggregate_no_arguments": _("--aggregate %(spec)s: %(method)s takes no arguments"),
    "cli.genmean_exponent": _("--aggregate %(spec)s: genmean needs its exponent, e.g. genmean:2"),
    "cli.aggregate_unknown": _("--aggregate %(spec)s: unknown method (use %(methods)s)"),
    "cli.numbers": _("'%(spec)s': expected numbers after ':'"),
    "cli.spec_or_alternatives": _("give either --spec or "
        "--weights-noise/--normalise-alternatives/--aggregate-alternatives, not both"),
    "cli.levels_need_noise": _("--weights-levels needs --weights-noise"),
    "cli.nothing_uncertain": _("nothing is uncertain: give --spec SPEC.yaml, or --weights-noise, "
        "--normalise-alternatives, --aggregate-alternatives"),
    "cli.audit_unavailable": _("the audit sub-command is unavailable (%(reason)s)"),
}


def engine_message(message: Any) -> str:
    """An engine message in the active language: "row 4: unknown parent 'X' of 'a'" → "dòng 4: …".
    Text without a code (or with a code not listed) is shown as the engine wrote it."""
    template = TRANSLATIONS.get(getattr(message, "code", None))
    if template is None:
        return str(message)
    return render(str(template), message.params, text=engine_message)


def engine_error_message(error: EngineError) -> str:
    """An engine error in the active language: the message, or for input that fails validation its
    problems, one per line (an app names the file itself)."""
    if isinstance(error, FrameworkError) and len(error.problems) > 1:
        return "\n".join(engine_message(problem) for problem in error.problems)
    if isinstance(error, FrameworkError):
        return engine_message(error.problems[0])
    return engine_message(error.message)
