"""The house reads from the bottom up: ground (selvhjelp_data) → crawl → transform → validate →
publish → flows. No module imports a stage above its own; the snapshot (the bundled site and its
server) stands beside the house and imports none of it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ["selvhjelp_data", "crawl", "transform", "validate", "publish", "flows"]
BESIDE = {
    "snapshot": set(),
    "tools": set(FLOORS) | {"snapshot"},
    "benchmarks": set(FLOORS) | {"snapshot"},
    "corpus": set(FLOORS),
}
WHO_MAY_IMPORT_THE_SNAPSHOT = {"flows", "tools", "benchmarks"}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every import in a file, wherever it stands (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", FLOORS)
def test_no_import_runs_back_up(package):
    above = set(FLOORS[FLOORS.index(package) + 1 :])
    for path in modules(package):
        upward = imported_packages(path) & above
        assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}, a stage above {package}"


@pytest.mark.parametrize("package", FLOORS + sorted(BESIDE))
def test_only_entry_points_import_the_snapshot(package):
    for path in modules(package):
        if package not in WHO_MAY_IMPORT_THE_SNAPSHOT:
            assert "snapshot" not in imported_packages(path) - {package}, (
                f"{path.relative_to(ROOT)} imports the snapshot"
            )


def test_the_snapshot_imports_nothing_of_ours():
    for path in modules("snapshot"):
        assert not imported_packages(path) & set(FLOORS), path


def test_the_command_line_is_an_entry_point_under_flows_and_the_builder_a_tool():
    assert (ROOT / "flows" / "cli.py").exists() and not (ROOT / "selvhjelp_data" / "cli.py").exists()
    assert (ROOT / "tools" / "build_snapshot.py").exists() and not list((ROOT / "snapshot").glob("build*.py"))
    assert 'selvhjelp-data = "flows.cli:main"' in (ROOT / "pyproject.toml").read_text()


def test_the_walk_finds_an_upward_import(tmp_path):
    """The check above could pass by reading nothing: show it sees an import inside a function."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from flows.pipeline import selvhjelp_pipeline\n")
    assert imported_packages(sample) == {"flows"}


def test_the_crawl_child_loads_no_table_machinery():
    """The crawl process reads and writes JSON and bytes: pyarrow, pandas and numpy (whose thread pool
    spins beside the event loop) cost it start-up time and CPU for nothing."""
    import subprocess
    import sys

    code = (
        "import sys, crawl.process, crawl.spiders.selvhjelp, crawl.pipelines, crawl.middlewares;"
        "print(sorted({'pyarrow', 'pandas', 'numpy', 'great_expectations', 'prefect'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
