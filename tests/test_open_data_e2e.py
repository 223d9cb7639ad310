"""A release as open-data users receive it: Frictionless, DCAT-AP-NO (pySHACL), DuckDB, checksums."""

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pyshacl
import pytest
import rdflib

from publish.check import SHAPES
from selvhjelp_data.schema import TABLES
from snapshot.server import SnapshotServer

pytestmark = pytest.mark.e2e

INDEX = "/no/Tematisert/Samfunnsperspektiv/Dokumenter_og_planer/"


def frictionless_report(release: Path) -> dict:
    frictionless = Path(sys.executable).parent / "frictionless"
    done = subprocess.run(
        [str(frictionless), "validate", "--json", "datapackage.json"], cwd=release, capture_output=True, text=True
    )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def mirror_release(prefect_harness, tmp_path_factory, monkeypatch_module):
    """A run of `--start-url` against a copy of the site that keeps its own URLs (the snapshot server)."""
    from flows.pipeline import selvhjelp_pipeline

    monkeypatch_module.setenv("SELVHJELP_CRAWL_SPEED", "full")  # a copy of ours: no need to be polite
    with SnapshotServer() as server:
        out = tmp_path_factory.mktemp("mirror")
        release = Path(selvhjelp_pipeline(start_urls=[server.url + INDEX], output_dir=str(out)))
    return release, server.url


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_frictionless_validates_a_snapshot_release_csv_and_parquet(history):
    report = frictionless_report(history["releases"][-1])
    assert report["valid"], json.dumps(report, indent=1)[:3000]
    assert len(report["tasks"]) == 2 * len(TABLES)  # every table as CSV and as Parquet


def test_frictionless_validates_a_release_of_a_mirror_that_keeps_its_own_urls(mirror_release):
    release, mirror = mirror_release
    pages = pq.read_table(release / "data" / "pages.parquet").column("url").to_pylist()
    assert pages and all(url.startswith(mirror + "/") for url in pages)
    report = frictionless_report(release)
    assert report["valid"], json.dumps(report, indent=1)[:3000]


def test_the_catalogue_has_no_dcat_ap_no_violation(history):
    release = history["releases"][-1]
    graph = rdflib.Graph().parse(release / "catalog.ttl")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=rdflib.Graph().parse(SHAPES), inference="none")
    assert conforms, text[:3000]
    assert len(rdflib.Graph().parse(release / "catalog.jsonld", format="json-ld")) == len(graph)


def test_the_catalogue_holds_what_data_norge_no_asks_for(history):
    graph = rdflib.Graph().parse(history["releases"][-1] / "catalog.ttl")
    dcat, dct = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://purl.org/dc/terms/")
    dataset = next(graph.subjects(rdflib.RDF.type, dcat.Dataset))
    titles = {t.language for t in graph.objects(dataset, dct.title)}
    assert titles == {"nb", "en"} and {t.language for t in graph.objects(dataset, dct.description)} == {"nb", "en"}
    assert {str(t) for t in graph.objects(dataset, dcat.theme)} >= {
        "http://publications.europa.eu/resource/authority/data-theme/HEAL"
    }
    assert str(graph.value(dataset, dct.publisher)).endswith("/980495361")
    assert str(graph.value(dataset, dct.accrualPeriodicity)).endswith("/DAILY")
    distributions = list(graph.objects(dataset, dcat.distribution))
    assert len(distributions) == 2 * len(TABLES) + 1  # CSV and Parquet of each table, and the feed
    for d in distributions:
        assert graph.value(d, dcat.downloadURL) and graph.value(d, dcat.byteSize) and graph.value(d, dct.license)
    temporal = graph.value(dataset, dct.temporal)  # the earliest and the latest page date
    assert (str(graph.value(temporal, dcat.startDate)), str(graph.value(temporal, dcat.endDate))) == (
        "2019-11-15",
        "2023-01-09",
    )


def test_duckdb_shows_a_description_for_every_table_and_column(history):
    with duckdb.connect(str(history["releases"][-1] / "selvhjelp.duckdb"), read_only=True) as con:
        columns = con.sql(
            "select table_name, column_name, comment from duckdb_columns() where database_name = 'selvhjelp'"
        ).fetchall()
        tables = dict(con.sql("select table_name, comment from duckdb_tables()").fetchall())
    assert len(columns) == sum(len(t.columns) for t in TABLES.values())
    described = {(t, c): comment for t, c, comment in columns}
    for name, table in TABLES.items():
        assert tables[name] == table.description
        for column in table.columns:
            assert described[(name, column.name)] == column.description


def test_parquet_key_value_metadata_carries_each_columns_description(history):
    metadata = pq.read_metadata(history["releases"][-1] / "data" / "quotes.parquet").metadata
    assert metadata[b"description.text"].decode() == TABLES["quotes"].column("text").description


def test_sha256sum_checks_every_file_of_a_release(history):
    release = history["releases"][-1]
    done = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=release, capture_output=True, text=True
    )
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert done.returncode == 0 and listed == on_disk


def test_one_setting_sets_the_licence_everywhere(tmp_path, monkeypatch):
    from publish.previous import empty_tables
    from publish.release import ReleaseInfo, write_release_files
    from selvhjelp_data.settings import load_settings

    monkeypatch.setenv("SELVHJELP_LICENCE", "CC-BY-4.0")
    settings = load_settings(output_dir=tmp_path)
    tables = empty_tables()
    tables["runs"] = TABLES["runs"].to_arrow(
        [
            {
                "run_id": "20261123T060000Z",
                "started_at": datetime(2026, 11, 23, 6, tzinfo=UTC),
                "pipeline_version": "0",
                "source": "x",
                "pages_requested": 0,
                "pages_answered": 0,
                "pages_failed": 0,
                "changes": 0,
            }
        ]
    )
    write_release_files(tmp_path / "r", tables, ReleaseInfo("20261123T060000Z", "x", "^https://"), settings)
    url = "https://creativecommons.org/licenses/by/4.0/"
    assert json.loads((tmp_path / "r" / "datapackage.json").read_text())["licenses"][0]["path"] == url
    assert url in (tmp_path / "r" / "README.md").read_text() and url in (tmp_path / "r" / "catalog.ttl").read_text()
    assert url in (tmp_path / "r" / "datasette.json").read_text()
    assert "åndsverkloven § 29" in (tmp_path / "r" / "README.md").read_text()


def test_every_query_of_the_data_card_runs_in_duckdb(history, monkeypatch):
    """The SQL a reader copies from README.md (the value now, at a time T, what is gone) runs as written,
    in the release folder."""
    import re

    release = history["releases"][-1]
    monkeypatch.chdir(release)
    blocks = re.findall(r"```sql\n(.*?)```", (release / "README.md").read_text(encoding="utf-8"), re.S)
    lines = [line for block in blocks for line in block.splitlines() if not line.lstrip().startswith("--")]
    statements = [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
    assert len(statements) >= 4
    con = duckdb.connect()
    for statement in statements:
        con.sql(statement).fetchall()  # raises on a table, column or file the card names wrongly


OLD_DUCKDB = Path(__file__).resolve().parents[1] / ".tools" / "duckdb-1.1"  # installed by `make setup`


def test_duckdb_1_1_opens_the_file_with_every_table_and_comment(history):
    """Analysts on DuckDB 1.1 (not only 2.0) open the release's database, as the README shows."""
    assert OLD_DUCKDB.is_dir(), "make setup installs DuckDB 1.1.3 into .tools/duckdb-1.1"
    script = (
        "import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(json.dumps([duckdb.__version__, dict(con.sql('select table_name, count(*) from duckdb_columns() "
        "where table_name in (select table_name from duckdb_tables()) and comment is not null group by 1')"
        ".fetchall())]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(history["releases"][-1] / "selvhjelp.duckdb")],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(OLD_DUCKDB), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    version, described = json.loads(done.stdout)  # table -> its columns that carry their description
    assert version.startswith("1.1") and described == {name: len(t.columns) for name, t in TABLES.items()}


def test_check_passes_a_release_and_names_what_a_damaged_copy_breaks(history, tmp_path):
    release = tmp_path / "release"
    shutil.copytree(history["releases"][-1], release)
    cli = [sys.executable, "-m", "flows.cli", "check", str(release)]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.count("ok    ") == 4, done.stdout + done.stderr
    (release / "data" / "quotes.csv").write_text("kaputt\n", encoding="utf-8")
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 1 and "FAIL  checksums (SHA256SUMS): data/quotes.csv does not match" in done.stdout
    assert done.stderr.strip().startswith("selvhjelp-data check: ") and len(done.stderr.strip().splitlines()) == 1


def test_version_is_the_package_version():
    from selvhjelp_data import __version__

    done = subprocess.run([sys.executable, "-m", "flows.cli", "--version"], capture_output=True, text=True)
    assert done.stdout.strip() == f"selvhjelp-data {__version__}"


def test_a_mirror_release_says_it_comes_from_a_copy(mirror_release):
    release, mirror = mirror_release
    graph = rdflib.Graph().parse(release / "catalog.ttl")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    titles = [str(t) for t in graph.objects(None, dct.title) if "kopi" in str(t)]
    assert titles and all(mirror in t for t in titles)
    assert rdflib.URIRef(mirror) in set(graph.objects(None, dct.source))


def test_csv_says_what_it_does_timestamps_keep_their_zone_and_the_formula_guard_is_declared(history):
    from frictionless import Package

    package = Package(str(history["releases"][-1] / "datapackage.json"))
    started = package.get_resource("runs").read_rows()[0]["started_at"]
    assert started.utcoffset() is not None and started.utcoffset().total_seconds() == 0  # UTC, not naive
    csv_resources = [
        r
        for r in json.loads((history["releases"][-1] / "datapackage.json").read_text())["resources"]
        if r["format"] == "csv"
    ]
    assert csv_resources and all("leading apostrophe" in r["x_formula_guard"] for r in csv_resources)
