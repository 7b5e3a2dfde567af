import pytest

from ingest.errors import ManifestError
from ingest.manifest import MAX_MANIFEST_BYTES, MAX_PUBLICATIONS, load_manifest

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


def test_two_publications_naming_one_file_are_refused(tmp_path):
    # A copied entry whose `file` was not changed indexed the same PDF twice: every passage of it
    # came up twice in each result list, under two publications.
    copy = GOOD.replace('"haandbog"', '"dublet"', 1).replace('"Håndbog"', '"Dublet"')
    with pytest.raises(ManifestError) as caught:
        load_manifest(write(tmp_path, GOOD + copy))
    message = str(caught.value)
    assert "publikation nr. 2 (dublet)" in message
    assert "haandbog.pdf" in message and "nr. 1 (haandbog)" in message
    assert "Ret »file«" in message


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


# -- types and limits (issue 8, item 10) -----------------------------------------------------------
ENTRY = '[[publication]]\nid = "{id}"\ntitle = "Titel"\nfile = "{id}.pdf"\n'


@pytest.mark.parametrize(("extra", "field"), [
    ("title = 123", "title"),
    ("year = \"abc\"", "year"),
    ("year = 20188", "year"),
    ("year = true", "year"),
    ("publisher = [\"SIRI\", \"x\"]", "publisher"),
    ("file = 123", "file"),
    ("file = \"../hemmelig.pdf\"", "file"),
    ("file = \".skjult.pdf\"", "file"),
    ("file = \"rapport.exe\"", "file"),
    ("id = 7", "id"),
    ("pdf_url = 5", "pdf_url"),
    ("landing_url = \"ftp://example.dk/x\"", "landing_url"),
    ("title = \"" + "x" * 2000 + "\"", "title"),
])
def test_wrong_types_and_values_are_refused_with_the_field_named(tmp_path, extra: str, field: str) -> None:
    key = extra.split(" = ")[0]
    lines = [line for line in GOOD.strip().splitlines() if not line.startswith(f"{key} =")] + [extra]
    with pytest.raises(ManifestError) as caught:
        load_manifest(write(tmp_path, "\n".join(lines) + "\n"))
    message = str(caught.value)
    assert field in message and "publikation nr. 1" in message
    assert len(message) < 600


def test_deep_nesting_is_a_clear_error_not_a_recursion_error(tmp_path) -> None:
    depth = 100_000
    with pytest.raises(ManifestError, match="kan ikke læses"):
        load_manifest(write(tmp_path, GOOD + "x = " + "[" * depth + "]" * depth + "\n"))


def test_too_many_entries_are_refused(tmp_path) -> None:
    text = "".join(ENTRY.format(id=f"p{n}") for n in range(MAX_PUBLICATIONS + 1))
    with pytest.raises(ManifestError, match=str(MAX_PUBLICATIONS)):
        load_manifest(write(tmp_path, text))
    assert len(load_manifest(write(tmp_path, "".join(ENTRY.format(id=f"p{n}") for n in range(3))))) == 3


def test_a_huge_manifest_is_refused_before_it_is_parsed(tmp_path) -> None:
    path = write(tmp_path, GOOD + "# " + "x" * MAX_MANIFEST_BYTES + "\n")
    with pytest.raises(ManifestError, match="for stort"):
        load_manifest(path)


def test_year_publisher_and_urls_of_the_right_type_pass(tmp_path) -> None:
    [pub] = load_manifest(write(tmp_path, GOOD + 'year = 2018\npublisher = "SIRI"\n'
                                'pdf_url = "https://siri.dk/x.pdf"\nlanding_url = "https://siri.dk/"\n'))
    assert (pub.year, pub.publisher, pub.pdf_url) == (2018, "SIRI", "https://siri.dk/x.pdf")
