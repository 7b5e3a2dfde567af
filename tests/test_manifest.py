import pytest

from ingest.errors import ManifestError
from ingest.manifest import load_manifest

GOOD = """
[[publication]]
id = "haandbog"
title = "Håndbog"
file = "haandbog.pdf"
"""


def write(tmp_path, text):
    path = tmp_path / "publications.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_local_manifest_is_valid(tmp_path):
    (tmp_path / "haandbog.pdf").write_bytes(b"%PDF-1.4")
    [pub] = load_manifest(write(tmp_path, GOOD), require_files=True)
    assert pub.id == "haandbog" and pub.pdf_url is None


def test_missing_field_is_named(tmp_path):
    with pytest.raises(ManifestError, match="mangler feltet title"):
        load_manifest(write(tmp_path, '[[publication]]\nid = "x"\nfile = "x.pdf"\n'))


def test_duplicate_id_is_refused(tmp_path):
    with pytest.raises(ManifestError, match="mere end én gang"):
        load_manifest(write(tmp_path, GOOD + GOOD))


def test_missing_file_is_named_when_required(tmp_path):
    with pytest.raises(ManifestError, match="haandbog.pdf findes ikke"):
        load_manifest(write(tmp_path, GOOD), require_files=True)


def test_bad_id_and_unknown_field(tmp_path):
    with pytest.raises(ManifestError, match="a-z"):
        load_manifest(write(tmp_path, GOOD.replace('"haandbog"', '"Håndbog!"')))
    with pytest.raises(ManifestError, match="ukendt felt"):
        load_manifest(write(tmp_path, GOOD + 'colour = "red"\n'))


def test_project_manifest_lists_the_four_publications():
    from pathlib import Path

    pubs = load_manifest(Path(__file__).parent.parent / "corpus" / "publications.toml")
    assert [p.id for p in pubs] == ["haandbog", "metodehaefte", "godpraksis", "vejledning"]
    assert pubs[0].landing_url.startswith("https://siri.dk/")
