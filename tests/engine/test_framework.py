"""Tests for chiso.engine.framework: the tree, its computation plan, and validation messages."""

import numpy as np
import pytest

from chiso.engine import Band, Framework, FrameworkError, parse_bands

from .conftest import small_framework


def rows(*specs):
    keys = ("iCode", "Level", "Parent", "Weight", "Type")
    return [dict(zip(keys, s)) for s in specs]


def test_asem_tree(asem):
    fw, _ = asem
    assert len(fw.indicators) == 49
    assert fw.aggregates == ("Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ",
                             "Social", "SusEcFin", "Conn", "Sust", "Index")
    assert fw.max_level == 4 and fw.top == ("Index",)
    assert fw.children("Conn") == ("Physical", "ConEcFin", "Political", "Instit", "P2P")
    assert fw["CostImpEx"].direction == -1 and fw["Flights"].denominator == "Population"
    assert fw.codes("Group") == ("GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group")
    levels = fw.tree.levels
    assert [p.level for p in levels] == [2, 3, 4]
    assert levels[0].membership.shape == (49, 8)
    # each indicator belongs to exactly one pillar; Physical has 8 indicators
    assert (levels[0].membership.sum(axis=1) == 1).all()
    assert levels[0].membership[:, 0].sum() == 8


def test_levels_can_be_skipped_by_a_parent_higher_up():
    fw = Framework.from_rows(rows(("a", 1, "P", 1, "Indicator"), ("b", 1, "Top", 1, "Indicator"),
                                  ("P", 2, "Top", 1, "Aggregate"), ("Top", 3, None, 1, "Aggregate")))
    plan = fw.tree.levels[-1]
    assert plan.parents == ("Top",) and set(plan.children) == {"b", "P"}


def test_all_structural_problems_are_reported_together_with_rows():
    bad = rows(
        ("a", 1, "P", 1, "Indicator"),
        ("a", 1, "P", 1, "Indicator"),          # duplicate code
        ("b", 1, "Nope", 1, "Indicator"),       # unknown parent
        ("c", 1, None, 1, "Indicator"),         # orphan
        ("d", 1, "P", "heavy", "Indicator"),    # weight not a number
        ("X", 2, "Y", 1, "Aggregate"),          # X <-> Y cycle
        ("Y", 2, "X", 1, "Aggregate"),
        ("P", 3, None, 1, "Aggregate"),
    )
    with pytest.raises(FrameworkError) as e:
        Framework.from_rows(bad, source="meta.csv")
    text = str(e.value)
    assert text.startswith("meta.csv:")
    assert "row 3: duplicate code 'a' (first at row 2)" in text
    assert "row 4: unknown parent 'Nope' of 'b'" in text
    assert "row 5: 'c' (Level 1) has no parent (orphan)" in text
    assert "row 6: Weight of 'd' is not a number: 'heavy'" in text
    assert "row 7: cycle in parents: X -> Y -> X" in text
    assert len(e.value.problems) >= 6


def test_levels_and_types_are_checked():
    bad = rows(("a", 2, "P", 1, "Indicator"), ("P", 1, None, 1, "Aggregate"), ("q", 1, "P", 1, "Widget"))
    with pytest.raises(FrameworkError) as e:
        Framework.from_rows(bad)
    text = str(e.value)
    assert "indicator 'a' must be at Level 1" in text
    assert "aggregate 'P' must be at Level 2 or above" in text
    assert "unknown Type 'Widget'" in text


def test_parent_must_be_higher_and_an_aggregate():
    bad = rows(("a", 1, "b", 1, "Indicator"), ("b", 1, "P", 1, "Indicator"), ("P", 2, None, 1, "Aggregate"))
    with pytest.raises(FrameworkError) as e:
        Framework.from_rows(bad)
    assert "parent 'b' of 'a' is a Indicator, not an Aggregate" in str(e.value)


def test_aggregate_without_children_and_bad_direction():
    bad = [{"iCode": "a", "Level": 1, "Parent": "P", "Direction": 2, "Type": "Indicator"},
           {"iCode": "P", "Level": 2, "Type": "Aggregate"},
           {"iCode": "Q", "Level": 2, "Type": "Aggregate"}]
    with pytest.raises(FrameworkError) as e:
        Framework.from_rows(bad)
    assert "aggregate 'Q' has no children" in str(e.value)
    assert "Direction of 'a' must be 1 or -1" in str(e.value)


def test_data_columns_are_matched_against_the_framework():
    fw = small_framework()
    problems = fw.data_problems(["uCode", "uName", "i1", "i2", "extra", "P1"])
    assert "indicator 'i3' (iMeta row 4) has no data column" in problems
    assert "column 5 'extra': no indicator (or other iMeta row) with this code" in problems
    assert "column 6 'P1' is an aggregate: aggregates are computed, not read" in problems
    assert not fw.data_problems(["uCode", "uName", "Time", "i1", "i2", "i3"])


def test_type_is_inferred_from_level_when_there_is_no_type_column():
    fw = Framework.from_rows([{"iCode": "a", "Level": 1, "Parent": "T"}, {"iCode": "T", "Level": 2}])
    assert fw["a"].type == "Indicator" and fw["T"].type == "Aggregate"


def test_own_fields_are_read():
    fw = Framework.from_rows([
        {"iCode": "a", "Level": 1, "Parent": "T", "name_vi": "Chỉ số A", "name_en": "Index A",
         "max_points": "4", "goalpost_lower": "0", "goalpost_upper": "50", "Unit": "%"},
        {"iCode": "T", "Level": 2, "Bands": "A>=90; B>=80; C", "max_points": 10},
    ])
    a = fw["a"]
    assert (a.name_vi, a.name_en, a.max_points, a.lower, a.upper, a.unit) == ("Chỉ số A", "Index A", 4.0, 0.0, 50.0, "%")
    assert fw["T"].bands == (Band("A", 90.0), Band("B", 80.0), Band("C", None))


def test_parse_bands_forms():
    assert parse_bands([{"label": "B", "min": 80}, {"label": "A", "min": 90}]) == (Band("A", 90.0), Band("B", 80.0))
    assert parse_bands("Tốt:70|Khá:50|Yếu") == (Band("Tốt", 70.0), Band("Khá", 50.0), Band("Yếu", None))
    assert parse_bands("") == ()


def test_directions_follow_indicator_order():
    fw = small_framework(directions=(1, -1, 1))
    assert np.array_equal(fw.directions, [1.0, -1.0, 1.0])
