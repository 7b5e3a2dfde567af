"""Personal data in questions: one detector behind both the warning page and the query log.

Caseworkers paste details of a case into the search box. The search page refuses a question
that holds a CPR number, a phone number or an e-mail address (and offers it back without them),
the JSON API answers 422, and the query log (``KB_LOG_QUERIES=1``) writes the same findings as
``[cpr]``, ``[telefon]`` and ``[e-mail]``. Both use :func:`find`, so whatever the warning
catches, the log redacts, and the other way round.

Text is normalised first (:func:`normalise`): Word and phones insert non-breaking hyphens
(U+2011), minus signs (U+2212), non-breaking and thin spaces, soft hyphens and full-width
digits, which a pattern for ``-`` and `` `` would miss.

The patterns lean towards finding too much, within reason: a blocked question costs the user a
click ("søg uden personoplysningerne"), a CPR number in a log or a URL is a breach. Year ranges
("2018-2019"), dates ("01.02.2019", "2024-03-01", "01.02.03 12:30"), times ("10.00-12.00",
"10-12 13-15"), court reports ("U.2019.1234H") and paragraphs ("§ 58") are not personal data and
are left alone; so are amounts ("12.345.678", "12 345 678 kr.", "1.000-2.000 kr.") and pairs of
years ("2018 2019"), unless a phone word says they are a phone number ("ring til 12 345 678").
So are numbers that go up right after "uge", "side" or "klasse" ("uge 45 46 47 48"): without
such a word, "23 24 25 26" may be a phone number.
Eight digits with another number right after them are a phone number only after a phone word
("tlf 23456789 10-12"); elsewhere they are part of a run of numbers ("kl 10 30 11 30 12 30").
No Danish number starts with 0, so "01 02 2024" is a date; "20240301" and "21 03 2024" may be
mobile numbers and are refused.

Foreign numbers count too: families have relatives abroad. A "+" or "00" country code and at
least 6 more digits, grouped any way ("+46 70 123 45 67", "+ 46 70 123 45 67", "0049 30 12345678",
"(+46) 70-123 45 67", "+44 (0)20 7946 0958"), but not "+ 2 dage", "3 + 4 = 7", "+1 500 000 kr."
or "kl. 08.00-16.00".
Every pattern runs in linear time: a pasted case description may hold 4,000 characters of them.

A CVR number (also an SE number) right after its word ("CVR 12345678", "CVR-nr.: 12 34 56 78",
"CVR-nummer er …") is left alone, though it has a phone number's 8 digits: it names a company and
stands in a public register, and caseworkers name employers and schools by it. So is a case's
journal number after its word ("sagsnr. 2019-1234", "j.nr. 24-123456") and an ISSN. A sole trader's
CVR number points to a person, but what it points to is public; the person's own CPR number (10
digits) is still refused next to it. Without the word, 8 digits are a phone number.

People also split and space numbers out: a CPR number as "01 02 03 12 34" or "010203-12 34" (a
CPR grouping with a valid date is enough), or one digit at a time (then only with "cpr" nearby);
a phone number after a bare "45"; an address as "anna @ kommune . dk", "anna(a)kommune.dk" or
"anna at kommune punktum dk".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from index.letters import clean_question

Kind = Literal["cpr", "phone", "email"]

# -- normalisation ----------------------------------------------------------------------------------
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_TABLE = {
    **{ord(c): "-" for c in _DASHES},
    **{0xFF10 + d: str(d) for d in range(10)},  # full-width digits
    0xFF20: "@", 0xFE6B: "@",  # full-width and small commercial at
    0x2024: ".", 0xFF0E: ".",  # one-dot leader, full-width full stop
    0x2044: "/", 0x2215: "/",  # fraction and division slash
}


# A decimal digit other than 0-9: ``\d`` on a str pattern is Unicode's decimal digits, the
# characters ``unicodedata.decimal`` has a value for (the same for every code point).
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit: Arabic-Indic "٠١٠٢٠٣-١٢٣٤" is a CPR number too."""
    # One regex scan, not a Python step per character: most questions hold no such digit.
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)


def normalise(text: str) -> str:
    """The question as the search reads it (``clean_question``: composed, invisible characters
    dropped, every kind of space one " "), then Unicode dashes → ``-`` and every digit ASCII.

    One cleaning for both: a bidi mark inside "010203\u200e1234" once kept the detector from
    seeing the number that the search then showed whole in the page's title.
    """
    return _ascii_digits(clean_question(text).translate(_TABLE))


# -- patterns ---------------------------------------------------------------------------------------
# A CPR number starts with the birth date ddmmyy; substitute numbers add 60 to the day.
_DAY = r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
_BIRTH_DATE = rf"{_DAY}(?P<sep>[ .\-/]?){_MONTH}(?P=sep)[0-9]{{2}}"  # 010203, 01 02 03, 01.02.03, 01-02-03
# With the last four whole, the date's own separators may differ: people group by habit
# ("0102 03 1234", "01 0203 1234", "0102 031234"), and an underscore comes from a file name.
CPR = re.compile(
    rf"(?<![0-9])(?<![0-9][.\-/]){_DAY}[ .\-/]?{_MONTH}[ .\-/]?[0-9]{{2}}"
    r" ?[\-./_]? ?[0-9]{4}(?![0-9])"  # -1234, 1234, " - 1234", _1234
)
# The last four split in two (-12 34, " 12 34", 01-02-03-12-34, 01020312 34), with a space or a dash between
# them, never a dot or a colon: "Mødet er 12.03.24 10.30" is a date and a time. Not inside a run
# of numbers ("kl 10 30 11 30 12 30", "uge 8 10 12 14 16 18"), nor followed by more groups.
CPR_SPLIT = re.compile(
    rf"(?<![0-9])(?<![0-9][ .\-/])(?:{_BIRTH_DATE}(?: ?- ?| )[0-9]{{2}}[ \-][0-9]{{2}}"
    # or split 8-2: "01020312 34", "05086724 - 10"; not a date written ddmmyyyy and a count after it
    # ("den 15032024 10 deltagere"), which would be someone born in the 1920s
    rf"|(?!{_DAY}{_MONTH}20[0-3][0-9]){_DAY}{_MONTH}[0-9]{{4}}(?: ?- ?| |_)[0-9]{{2}})"
    r"(?![0-9])(?![.:,][0-9])(?![ .\-/][0-9])"
)

_PLAIN_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_YEAR = r"(?:19|20)[0-9]{2}"
_HOUR = r"(?:[01]?[0-9]|2[0-4])"
_TIME = r"(?:[01]?[0-9]|2[0-3])[.:][0-5][0-9]"
_NOT_A_PHONE = (
    rf"{_YEAR} ?- ?{_YEAR}(?![0-9])",  # a year range: 2018-2019
    rf"{_PLAIN_DAY}[.\-/]{_MONTH}[.\-/]{_YEAR}(?![0-9])",  # a date: 01.02.2019
    rf"{_YEAR}-{_MONTH}-(?:0[1-9]|[12][0-9]|3[01])(?![0-9])",  # an ISO date: 2024-03-01
    rf"{_TIME} ?- ?{_TIME}(?![0-9])",  # opening hours: 10.00-12.00
    rf"{_HOUR}-{_HOUR} {_HOUR}-{_HOUR}(?![0-9])",  # or whole hours, morning and afternoon: 10-12 13-15
    # An amount with its currency, whatever word is near: "ring om de 12 345 678 kr.".
    r"[0-9]{1,3}(?:[ .][0-9]{3}){2} ?(?i:kr|dkk|,-)",
    # Court reports: U.2019.1234H, UfR 2019.1234 H (Højesteret, Vestre and Østre Landsret).
    rf"{_YEAR}\.[0-9]{{1,4}} ?(?:H|V|Ø)(?![\w])",
)
# Numbers that are no phone number unless a phone word says they are ("ring til 12 345 678").
# The groupings of an amount are one after a weaker word too ("mors nummer er 12 345 678").
_AMOUNT_GROUPINGS = (
    r"[0-9]{1,3}(?:\.[0-9]{3}){2}(?![0-9])",  # an amount with thousands separators: 12.345.678
    r"[0-9]{1,3}(?: [0-9]{3}){2}(?![0-9])",  # or with spaces: 12 345 678 (a phone is seldom grouped 2-3-3)
)
_RANGES_AND_YEARS = (
    r"[0-9]{1,3}\.[0-9]{3} ?- ?[0-9]{1,3}\.[0-9]{3}(?![0-9])",  # a range of amounts: 1.000-2.000
    r"[0-9]{4} ?- ?[0-9]{4} ?(?i:kr|dkk|,-)",  # or without separators, with the currency: 2000-3000 kr.
    rf"{_YEAR} {_YEAR}(?![0-9])",  # two years: i årene 2018 2019
)
_NOT_A_PHONE_WITHOUT_WORD = _AMOUNT_GROUPINGS + _RANGES_AND_YEARS
# Any grouping of exactly ten digits, even one by one ("0 1 0 2 0 3 1 2 3 4"), is a CPR number
# when the first six are a valid date and the word is nearby (:func:`_near_keyword`). Without
# the word, such runs are too often lists and counts to refuse.
_CPR_DATE = re.compile(rf"{_DAY}{_MONTH}[0-9]{{2}}")
_CPR_KEYWORD = re.compile(r"cpr|person-?n(?:umme)?r", re.IGNORECASE)
_KEYWORD_REACH = 25  # characters either side: "cpr-nummer er ", "(cpr: "
CPR_KEYED = re.compile(
    r"(?<![0-9])(?<![0-9][ .\-/])"
    rf"(?!{'|'.join(_NOT_A_PHONE + _NOT_A_PHONE_WITHOUT_WORD)})"  # "cpr-loven af 01.02.2019 10 dage", "2001-2002 12"
    r"[0-9](?:(?: ?[\-./] ?| )?[0-9]){9}"
    r"(?![0-9])(?![ .\-/][0-9])"
)

# Danish numbers have 8 digits, grouped any way people like (12345678, 12 34 56 78, 12 34 5678,
# 123 45 678, 1234-5678, 12.34.56.78), optionally after +45, 0045 or (+45). After the country
# code any grouping is a phone number ("+45 12 345 678"); without it, dates, amounts and ranges
# (:data:`_NOT_A_PHONE`) are not.
# The country code may also be written as a bare 45 ("45 12 34 56 78", "4512345678"); then only
# the groupings phone numbers are written in count, so "45 1 2 3 4 5 6 7 8" stays a list, and
# "45 12 345 678 kr." a count before an amount.
_COMMON_GROUPINGS = (
    r"[0-9]{8}",  # 12345678
    r"[0-9]{2}(?P<g>[ .\-])[0-9]{2}(?P=g)[0-9]{2}(?P=g)[0-9]{2}",  # 12 34 56 78
    r"[0-9]{4}[ .\-][0-9]{4}",  # 1234 5678
    r"[0-9]{2} [0-9]{2} [0-9]{4}",  # 12 34 5678
    r"[0-9]{3} [0-9]{2} [0-9]{3}",  # 123 45 678
)

def _phone(first: str, not_a_phone: tuple[str, ...]) -> str:
    """The phone pattern; ``first`` matches the first digit of a number without a country code, and
    ``not_a_phone`` are the numbers of that shape that are something else."""
    other = "|".join(not_a_phone)
    return (
        r"(?<![0-9+])(?<![0-9][ .\-])"
        r"(?:(?:(?:\+|00) ?45 ?[\-.]? ?|\((?:\+ ?|00)?45\) ?)[0-9](?:[ .\-]?[0-9]){7}"
        rf"|(?!{other}){first}(?:[ .\-]?[0-9]){{7}}"
        # A bare 45 only with a separator after it: "sagsnr. 4501234567" is no phone number.
        rf"|(?P<bare>45)(?: ?[\-.] ?| )(?!{other})(?:{'|'.join(_COMMON_GROUPINGS)}))"
        r"(?![0-9])(?![.:\-][0-9])"  # not "01.02.03 12:30" (a date, then the hour of a time)
    )


# No Danish subscriber number starts with 0, so a date whose day does ("01 02 2024", "01022024")
# is no phone number, and a blank ("00 00 00 00") is none even after "tlf". Not every 8 digits
# after a 0: a CPR number grouped 8-2 ("05086724 - 10") is one (:data:`CPR_SPLIT`), and after a
# phone word "tlf 08-12 34 56" may be a foreign number (Stockholm) and "tlf 01 02 2024" is taken
# at its word.
_BLANK = r"00(?: ?00){3}"
_ZERO_DATE = rf"0[1-9](?: {_MONTH} |{_MONTH}){_YEAR}"
# Not followed by another number either: "kl 10 30 11 30 12 30" is a run of numbers.
PHONE = re.compile(_phone(rf"(?!{_BLANK}|{_ZERO_DATE})[0-9]", _NOT_A_PHONE + _NOT_A_PHONE_WITHOUT_WORD)
                   + r"(?! [0-9])")
# Unless a phone word comes shortly before (:func:`_near_phone_word`), which says what the
# number is: "tlf 23456789 10-12", "mobil 23 45 67 89 2 gange om ugen", "ring til 12 345 678".
PHONE_NEAR_WORD = re.compile(_phone(rf"(?!{_BLANK})[0-9]", _NOT_A_PHONE))
_PHONE_WORD = re.compile(r"\b(?:tlf|telefon|mobil|mob\b|ring|sms)", re.IGNORECASE)  # not "mobning"
# Weaker words: "nummer" and "kontakt" ("mors nummer er 12 345 678", "kontakt far på 12.345.678")
# say only that the groupings of an amount are a phone number; near them, a range of amounts or
# two years stays what it is ("kontakten koster 1.000-2.000 kr."), and a kontaktperson is no
# word for a number. Not "nr": a case's journal number follows it ("j.nr. 24-123456").
PHONE_NEAR_NUMBER_WORD = re.compile(
    _phone(rf"(?!{_BLANK}|{_ZERO_DATE})[0-9]", _NOT_A_PHONE + _RANGES_AND_YEARS)
    + r"(?! [0-9])")
# The verb and the label only: "kontakten", "kontakter" and "kontaktfamilie" are a person or a
# service, and an amount near them is an amount ("udgiften til kontakten var 12 345 678").
_NUMBER_WORD = re.compile(r"\b(?:nummer(?:et)?|kontakt(?:e|es|ede)?|kontaktoplysning(?:er)?)\b", re.IGNORECASE)
# Money, whichever side its currency or øre stand on: "kr. 12.345.678", "12 345 678,50".
_CURRENCY_BEFORE = re.compile(r"(?:\bkr\.?|\bdkk) ?\Z", re.IGNORECASE)
_ØRE_AFTER = re.compile(r",[0-9]")
_DANISH_CODE = re.compile(r"\(?(?:\+|00) ?45")

# A foreign number: + or 00, a country code (1 to 3 digits, never starting with 0), then 6 to 14
# digits grouped as the country writes them ("+46 70 123 45 67", "0049 30/1234567",
# "+44 (0)20 7946 0958", "(+46) 70-123 45 67"). The country code says what the number is, so no
# phone word is needed, and as with +45 any grouping counts. Denmark's own 45 is left to
# :data:`PHONE`, which knows a Danish number has 8 digits and where it ends ("+45 23456789 10-12").
# "00" is a common pair of digits, so it counts only at the start of a number, not inside another
# one ("kl. 08.00-16.00", "kr. 12.500,00 1 gang"); after a space it starts one ("mor: 23456789
# 0046 70 123 45 67" is two numbers, the second Swedish), and with nothing between it and the rest only
# for 11 digits or more: an account number padded with zeros has 10 ("kontonr. 0012345678").
# A space may follow "+" ("ring til + 46 70 123 45 67", as phones and forms space it): a sum
# ("3 + 4 = 7", "§ 58 + 59", "+ 2 dage") never has the 6 digits a subscriber number needs, and an
# amount is left alone when its currency follows ("+1 500 000 kr.", "+ 1 000 000 kr."). A bare
# "+ 1 000 000" is refused: Polish and French numbers are grouped in threes as well ("+48 512 345 678").
_CC = r"(?!45)[1-9][0-9]{0,2}"
# Between groups: one dash, dot or slash (spaces either side), a space, or a parenthesis ("(0)20").
# Exactly one way to step from a digit to the next, so the bounded repetition cannot backtrack far.
_GAP = r"(?: ?[\-./] ?| \(?|\(|\) ?)"
_SUBSCRIBER = rf"[0-9](?:{_GAP}?[0-9]){{5,13}}"  # at least 6 digits, at most 14 (E.164 allows 15 in all)
INTERNATIONAL = re.compile(
    r"(?:(?<![0-9+])(?!\+ ?[0-9]{1,3}(?:[ .][0-9]{3}){1,5}(?:,[0-9]{1,2})? ?(?i:kr|dkk|,-))"
    rf"(?:\+ ?{_CC}{_GAP}?|\(\+ ?{_CC}\) ?){_SUBSCRIBER}"
    r"|(?<![\w+])(?<![0-9][.,:\-/])"
    rf"(?:(?:00{_CC}{_GAP}|\(00{_CC}\) ?){_SUBSCRIBER}|00(?!45)[1-9][0-9]{{8,12}}))"
    # Not a lone digit after a space at the end: "+90 532 123 45 67 2 gange om ugen".
    r"(?![0-9])(?<! [0-9])"
)

_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_TLD = r"(?:dk|com|net|org|eu|nu|se|no|de|info|gov|edu)"
# A dot with spaces around it ("kommune . dk") only before the top-level domain, which ends the
# address; and not before "se", "de" or "nu", which are Danish words ("mød os @ rådhuset. Se …").
_SPACED_TLD = r"(?:dk|com|net|org|no|info|gov|edu)"  # not "eu" either: "EU-borgere @ kommunen. EU …"
_DOT = (rf"(?:\.| ?{_OPEN} ?(?:dot|punktum) ?{_CLOSE} ?| (?:dot|punktum) "
        rf"|(?: \. ?|\. )(?={_SPACED_TLD}\b))")
# A written "at" counts only where a domain and its top-level domain follow, its dots written any
# way ("anna at kommune.dk", "anna at kommune punktum dk"), never in "for at gå".
_AT = (rf"(?: ?@ ?| ?{_OPEN} ?(?:at|a|@|snabel-?a) ?{_CLOSE} ?"  # anna@…, anna (at) …, anna(a)…, anna[@]…
       rf"| (?:at|snabel-?a) (?=[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b))")
EMAIL = re.compile(rf"(?<![\w.%+\-])[\w.%+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)+", re.IGNORECASE)

_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    # E-mail first (addresses may hold digits), CPR before phone (a CPR number holds 8 digits),
    # but a foreign number before CPR: its country code says what it is, and "0049 30 12345678"
    # holds the shape of a CPR number (301234-5678).
    ("email", EMAIL),
    ("phone", INTERNATIONAL),
    ("cpr", CPR),
    ("cpr", CPR_SPLIT),
    ("cpr", CPR_KEYED),
    ("phone", PHONE),
    ("phone", PHONE_NEAR_WORD),
    ("phone", PHONE_NEAR_NUMBER_WORD),
)

_DANISH_PHONES = (PHONE, PHONE_NEAR_WORD, PHONE_NEAR_NUMBER_WORD)
PLACEHOLDERS: dict[Kind, str] = {"cpr": "[cpr]", "phone": "[telefon]", "email": "[e-mail]"}
# How the warning names each kind, in Danish.
NAMES: dict[Kind, str] = {"cpr": "et CPR-nummer", "phone": "et telefonnummer", "email": "en e-mailadresse"}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int  # offsets into normalise(text)
    end: int


@dataclass(frozen=True)
class Scan:
    """A question and the personal data found in it (offsets into the normalised ``text``)."""

    text: str
    findings: tuple[Finding, ...]

    def __bool__(self) -> bool:
        return bool(self.findings)

    @property
    def kinds(self) -> list[Kind]:
        """Each kind found, in the order of :data:`NAMES` (stable for messages)."""
        found = {f.kind for f in self.findings}
        return [k for k in NAMES if k in found]

    def replaced(self, by: dict[Kind, str]) -> str:
        pieces: list[str] = []
        end = 0
        for finding in self.findings:
            pieces.append(self.text[end:finding.start])
            pieces.append(by[finding.kind])
            end = finding.end
        pieces.append(self.text[end:])
        return "".join(pieces)

    def redacted(self) -> str:
        return self.replaced(PLACEHOLDERS)

    def removed(self) -> str:
        """The question with the personal data cut out (what the warning offers to search instead)."""
        text = self.replaced({k: " " for k in PLACEHOLDERS})
        # Cutting "cpr 010203-1234, og" leaves "cpr , og": tidy the gaps and stray punctuation.
        text = re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(text.split()))
        text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
        return " ".join(text.split()).strip(" ,;:")

    def describe(self) -> str:
        """Danish: "et CPR-nummer og en e-mailadresse"."""
        names = [NAMES[k] for k in self.kinds]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def _near_keyword(text: str, match: re.Match[str]) -> bool:
    near = text[max(0, match.start() - _KEYWORD_REACH):match.end() + _KEYWORD_REACH]
    return bool(_CPR_KEYWORD.search(near))


def _near_phone_word(text: str, match: re.Match[str]) -> bool:
    """A phone word shortly before, or Denmark's country code in front: "+45 23456789 10-12" says
    what it is as plainly as "tlf 23456789 10-12" does."""
    return _DANISH_CODE.match(match.group()) is not None or _near(_PHONE_WORD, text, match)


def _near(word: re.Pattern[str], text: str, match: re.Match[str]) -> bool:
    """``word`` shortly before the match."""
    return bool(word.search(text, max(0, match.start() - _KEYWORD_REACH), match.start()))


def _keyed_cpr(text: str, match: re.Match[str]) -> bool:
    """Ten digits in any grouping: a CPR number if they start with a date and "cpr" is nearby."""
    digits = re.sub(r"[^0-9]", "", match.group())
    return bool(_CPR_DATE.fullmatch(digits[:6])) and _near_keyword(text, match)


# Words for what is numbered in a list: "uge 45 46 47 48" is four weeks, "side 12 14 16 18" four pages.
_LIST_WORD = re.compile(r"\b(?:uge(?:r|rne|nr\.?)?|klasse(?:r|rne|trin)?|sider?(?:ne)?|s\.)(?: nr\.?)? ?:? ?\Z",
                        re.IGNORECASE)


# A company's number: CVR (and SE, the VAT number) are 8 digits like a phone number; so are a case's
# journal number ("sagsnr. 2019-1234", "j.nr. 24-123456") and a serial's ISSN.
_COMPANY_WORD = re.compile(r"\b(?:cvr(?:[-. ]?(?:nr|nummer(?:et)?)\.?)?|se[-. ]?(?:nr|nummer(?:et)?)\.?"
                           r"|sags?[-. ]?(?:nr|nummer(?:et)?)\.?|journal[-. ]?(?:nr|nummer(?:et)?)\.?"
                           r"|j\. ?nr\.?|jnr\.?|issn)"
                           r"(?: er)? ?:? ?\Z", re.IGNORECASE)


def _right_after(word: re.Pattern[str], text: str, match: re.Match[str]) -> bool:
    return bool(word.search(text, max(0, match.start() - 20), match.start()))


def _listed(text: str, match: re.Match[str]) -> bool:
    """Numbers that go up right after a list word: a list of weeks, grades or pages.

    Only with the word: "23 24 25 26" may well be someone's phone number.
    """
    numbers = [int(n) for n in re.findall(r"[0-9]+", match.group())]
    return (len(numbers) > 1 and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
            and _right_after(_LIST_WORD, text, match))


def _counted(number: str) -> bool:
    """Five pairs that count up by one ("10 11 12 13 14"): a list of weeks or grades, not a date."""
    pairs = [int(p) for p in re.findall(r"[0-9]+", number)]
    return len(pairs) == 5 and all(b - a == 1 for a, b in zip(pairs, pairs[1:], strict=False))


def find(text: str) -> Scan:
    """Every CPR number, phone number and e-mail address in ``text`` (after :func:`normalise`)."""
    text = normalise(text)
    findings: list[Finding] = []
    taken = [False] * len(text)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if pattern is CPR_KEYED and not _keyed_cpr(text, match):
                continue
            if (pattern is CPR_SPLIT and (_counted(match.group()) or _listed(text, match))
                    and not _near_keyword(text, match)):
                continue  # "uge 10 11 12 13 14"; with "cpr" nearby, CPR_KEYED still finds it
            if pattern is PHONE_NEAR_WORD and not _near_phone_word(text, match):
                continue
            if pattern is PHONE_NEAR_NUMBER_WORD and (not _near(_NUMBER_WORD, text, match)
                                                      or _CURRENCY_BEFORE.search(text, 0, match.start())
                                                      or _ØRE_AFTER.match(text, match.end())):
                continue
            if pattern in _DANISH_PHONES and (
                    match.group("bare") and _counted(match.group()) or _listed(text, match)):
                continue  # "45 46 47 48 49", "uge 45 46 47 48"
            if pattern in _DANISH_PHONES and _right_after(_COMPANY_WORD, text, match):
                continue  # "CVR 12345678"
            if any(taken[match.start():match.end()]):
                continue  # already part of an earlier kind (a phone inside an e-mail address)
            findings.append(Finding(kind, match.start(), match.end()))
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
    return Scan(text, tuple(sorted(findings, key=lambda f: f.start)))


def redact(text: str) -> str:
    """``text`` normalised, with personal data replaced by ``[cpr]``, ``[telefon]``, ``[e-mail]``."""
    return find(text).redacted()
