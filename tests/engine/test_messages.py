"""Every error the engine raises carries a code of its table (chiso.engine.messages) with the parameters
its template names, so an application can translate it by code; the English stays as it was."""

import ast
import re
from pathlib import Path

import chiso.engine
from chiso.engine import FrameworkError, StepError
from chiso.engine.errors import Joined, Message, at, where_row
from chiso.engine.messages import MESSAGES

ENGINE = Path(chiso.engine.__file__).parent
ERRORS = {"StepError", "FrameworkError"}
BUILDERS = {"Message": 0, "at": 1}  # the position of the code among the arguments
PARAMETER = re.compile(r"%\((\w+)\)")


def _calls():
    for path in sorted(ENGINE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                yield path.relative_to(ENGINE), source, node


def test_every_raised_error_is_built_from_a_message():
    plain = [f"{path}:{node.lineno}: {ast.get_source_segment(source, node)}"
             for path, source, node in _calls()
             if node.func.id in ERRORS and node.args
             and not (isinstance(node.args[0], ast.Call) and getattr(node.args[0].func, "id", None) == "Message")
             and not isinstance(node.args[0], (ast.Name, ast.BinOp))]  # a list of problems, built from Messages
    assert not plain, "errors raised with plain text (give them a code in messages.py):\n" + "\n".join(plain)


def test_every_code_used_is_in_the_table_with_the_parameters_it_names():
    wrong, used = [], set()
    for path, _source, node in _calls():
        position = BUILDERS.get(node.func.id)
        if position is None or len(node.args) <= position or not isinstance(node.args[position], ast.Constant):
            continue
        code = node.args[position].value
        used.add(code)
        if code not in MESSAGES:
            wrong.append(f"{path}:{node.lineno}: unknown code {code!r}")
            continue
        named = set(PARAMETER.findall(MESSAGES[code]))
        given = {k.arg for k in node.keywords}
        if named != given:
            wrong.append(f"{path}:{node.lineno}: {code!r} names {sorted(named)}, given {sorted(given)}")
    assert not wrong, "\n".join(wrong)
    dynamic = {code for code in MESSAGES if code.startswith(("aggregate.mean.", "aggregate.what."))}
    assert not set(MESSAGES) - used - dynamic, "codes no longer raised"


def test_a_message_is_its_english_text_with_code_and_parameters():
    message = at(where_row(3), "framework.weight_not_number", code="x", value="heavy")
    assert message == "row 3: Weight of 'x' is not a number: 'heavy'"
    assert message.code == "at" and message.params["problem"].code == "framework.weight_not_number"
    assert Message("impute.no_data", codes=["a", "b"]) == "impute: no data at all for a, b: cannot impute"
    assert Message("build.replay_path", path=("normalise",)) == \
        "replay: a change is addressed by (step, parameter, ...), not ('normalise',)"
    assert Message("uncertainty.combination", combination=Joined(["A = 1", "B = 2"], "; "), error="boom") \
        .startswith("uncertainty: the combination A = 1; B = 2 cannot run: boom")


def test_errors_carry_the_code_of_their_message():
    error = StepError(Message("bootstrap.n"))
    assert (str(error), error.code, error.params) == ("bootstrap: n must be at least 1", "bootstrap.n", {})
    one = FrameworkError(Message("file.empty"), "x.csv")
    assert (str(one), one.code) == ("x.csv: the file is empty", "file.empty")
    several = FrameworkError([at(where_row(5), "framework.missing_icode"), Message("framework.no_indicators"),
                              at(where_row(2), "framework.missing_icode")])
    assert str(several).splitlines() == ["3 problems found:", "  - row 2: missing iCode", "  - row 5: missing iCode",
                                         "  - the framework has no indicators"]
    assert (several.code, several.params) == ("problems_found", {"count": 3})
