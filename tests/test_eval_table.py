"""The evaluation tables in README.md and docs/evaluation.md are rendered from docs/evaluation.json.

The gate (tests/eval_gate.py, a script) owns the rendering; it is loaded from its file so that these
tests use its own render function. Fix a failure with `python tests/eval_gate.py --render`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

GATE_PATH = Path(__file__).resolve().parent / "eval_gate.py"


def load_gate():
    spec = importlib.util.spec_from_file_location("newsdesk_eval_gate", GATE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


gate = load_gate()


@pytest.mark.parametrize("path", gate.TABLE_FILES, ids=lambda p: p.relative_to(gate.PROJECT).as_posix())
def test_table_block_matches_figures(path: Path) -> None:
    block = gate.table_block(path.read_text(encoding="utf-8"))
    assert block is not None, f"no {gate.TABLE_START} ... {gate.TABLE_END} block"
    assert block == gate.render_table(gate.read_figures())


def test_figures_name_the_gate_metrics_and_targets() -> None:
    data = gate.read_figures()
    assert {kit: list(values) for kit, values in data["figures"].items()} == {
        kit.name: [metric.name for metric in kit.metrics] for kit in gate.KITS
    }
    assert data["targets"] == gate.kit_targets()


def test_render_shows_targets_and_three_decimals() -> None:
    data = {"figures": {"kit": {"a": 0.5, "b": 0.25}}, "targets": {"kit": {"a": 0.9}}}
    rows = gate.render_table(data).splitlines()[3:5]
    assert rows == ["| kit | a | >= 0.90 | 0.500 |", "| kit | b |  | 0.250 |"]
