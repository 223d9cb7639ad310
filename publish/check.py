"""`selvhjelp-data check RELEASE`: what a downloader of a release checks before using it, in one command:
every file against SHA256SUMS and datapackage.json, the data package with Frictionless (each table's CSV
and Parquet against its schema), and the catalogue against the DCAT-AP-NO shapes (pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publish.previous import verify_release
from selvhjelp_data.text import file_digest

SHAPES = Path(__file__).resolve().parents[1] / "validate" / "shapes" / "dcat-ap-no-shacl_shapes_2.00.ttl"


@dataclass(frozen=True)
class Check:
    name: str
    problems: list[str]

    def line(self) -> str:
        if not self.problems:
            return f"ok    {self.name}"
        shown = "; ".join(self.problems[:5]) + (f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else "")
        return f"FAIL  {self.name}: {shown}"


def check_release(root: Path) -> list[Check]:
    root = Path(root)
    if not (root / "datapackage.json").exists():
        raise ValueError(f"{root} is not a release (no datapackage.json): give a release folder or a clone of one")
    return [
        Check("checksums (SHA256SUMS)", _sha256sums(root)),
        Check("files listed in datapackage.json", verify_release(root)),
        Check("data package (Frictionless)", _frictionless(root)),
        Check("catalogue (DCAT-AP-NO shapes)", _dcat(root)),
    ]


def _sha256sums(root: Path) -> list[str]:
    problems = []
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        path = root / name.lstrip("*")
        if not path.is_file():
            problems.append(f"{name} missing")
        elif file_digest(path) != digest:
            problems.append(f"{name} does not match")
    return problems


def _frictionless(root: Path) -> list[str]:
    from frictionless import Package

    report = Package(str(root / "datapackage.json")).validate()
    return [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors[:3]]


def _dcat(root: Path) -> list[str]:
    import pyshacl
    import rdflib

    graph = rdflib.Graph().parse(root / "catalog.ttl")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=rdflib.Graph().parse(SHAPES), inference="none")
    return [] if conforms else [line.strip() for line in text.splitlines() if "Message:" in line]
