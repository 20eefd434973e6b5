"""Start-up (aegui/qt/startup/app.py) reads as its steps: the arguments, the application, the settings and
look, the window, the headless run (--smoke, --screenshot), each a function of its own under the
project's limit on a function's length, rather than one function doing all of them."""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "aegui" / "qt" / "startup" / "app.py"
MAX_FUNCTION_LINES = 80


def long_functions(source: str) -> list[tuple[str, int]]:
    return [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]


def test_the_check_finds_a_long_function():
    source = "def run():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    assert long_functions(source) == [("run", MAX_FUNCTION_LINES + 1)]


def test_no_start_up_function_runs_over_the_limit():
    assert long_functions(APP.read_text(encoding="utf-8")) == []
