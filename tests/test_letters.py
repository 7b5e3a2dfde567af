"""What counts as "a letter or digit" in a question (index/letters.py): the letters and digits of
every script in the BMP, read the same by Python's ``re`` and by an ECMA-262 regex without ``u``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata

import pytest

from index.letters import LETTER_OR_DIGIT

BMP = range(0x10000)


def _is_letter_or_digit(cp: int) -> bool:
    return unicodedata.category(chr(cp))[0] in "LN"


def test_the_class_is_unicodedata_letters_and_digits_of_the_bmp() -> None:
    pattern = re.compile(LETTER_OR_DIGIT)
    wrong = [f"U+{cp:04X}" for cp in BMP if bool(pattern.fullmatch(chr(cp))) != _is_letter_or_digit(cp)]
    assert not wrong, wrong[:20]


def test_the_class_is_written_in_escapes_only() -> None:
    # ASCII and \uXXXX ranges: no `\w`, no literal letter whose reading depends on the tool.
    assert re.fullmatch(r"\[(?:\\u[0-9A-F]{4}(?:-\\u[0-9A-F]{4})?)+\]", LETTER_OR_DIGIT), LETTER_OR_DIGIT[:80]


@pytest.mark.parametrize("question", ["شرف", "честь", "τιμή", "ｔｅｓｔ", "æresrelateret", "2018", "名誉", "सम्मान"])
def test_letters_of_other_scripts_count(question: str) -> None:
    assert re.search(LETTER_OR_DIGIT, question)


@pytest.mark.parametrize("question", ["🙂", "🙂👍🏽", "???", "…", "--", "___", "«»", "\u200b", "\U0001d400"])
def test_emoji_punctuation_and_astral_letters_do_not(question: str) -> None:
    assert not re.search(LETTER_OR_DIGIT, question)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_ecma_without_the_u_flag_reads_it_as_python_does() -> None:
    samples = ["شرف", "🙂", "\U0001d400", "___", "ｔｅｓｔ"]
    script = (
        "const re = new RegExp(process.argv[1]); const bmp = [];"
        "for (let i = 0; i < 0x10000; i++) bmp.push(re.test(String.fromCharCode(i)) ? '1' : '0');"
        "const samples = JSON.parse(process.argv[2]).map(s => re.test(s));"
        "process.stdout.write(JSON.stringify({bmp: bmp.join(''), samples}));"
    )
    out = subprocess.run(["node", "-e", script, LETTER_OR_DIGIT, json.dumps(samples)],
                         capture_output=True, text=True, check=True, timeout=60)
    ecma = json.loads(out.stdout)
    pattern = re.compile(LETTER_OR_DIGIT)
    python = "".join("1" if pattern.search(chr(cp)) else "0" for cp in BMP)
    differ = [f"U+{cp:04X}" for cp in BMP if ecma["bmp"][cp] != python[cp]]
    assert not differ, differ[:20]
    assert ecma["samples"] == [bool(pattern.search(s)) for s in samples]


def test_the_index_and_the_api_share_the_class() -> None:
    from api.schemas import QUESTION_PATTERN_API, AskIn
    from index.search import QUESTION_PATTERN

    assert QUESTION_PATTERN.pattern == QUESTION_PATTERN_API == LETTER_OR_DIGIT
    assert AskIn.model_json_schema()["properties"]["question"]["pattern"] == LETTER_OR_DIGIT
