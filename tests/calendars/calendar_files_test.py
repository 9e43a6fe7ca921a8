#!/usr/bin/python3
"""Checks the shipped holiday calendars (calendars/*.yml) against the exchanges' rules.

Each calendar is recomputed here from its rules, independently of the file (an Easter computation,
nth-weekday and observed-day helpers of its own), and the file's dates must be exactly that set
for every year it covers. Also: the file parses as YAML without duplicate keys, has exactly the
keys `valid_through` and `holidays`, every date is a weekday with a non-empty name, and
`valid_through` is the end of the covered period. Every calendars/*.yml must have rules here.

Usage: calendar_files_test.py [CALENDARS_DIR]   (default: calendars/ of this checkout)
Needs Debian's python3 with python3-yaml.
"""

import datetime
import os
import re
import sys
import unittest

import yaml

FIRST_YEAR = 2025
LAST_YEAR = 2028
VALID_THROUGH = datetime.date(LAST_YEAR, 12, 31)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

CALENDARS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "calendars")


# --- date helpers -----------------------------------------------------------------------------

def easter_sunday(year):
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def nth_weekday(year, month, weekday, n):
    """The n-th `weekday` (0 = Monday) of the month; n = -1 for the last one."""
    if n > 0:
        first = datetime.date(year, month, 1)
        return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


def us_observed(day):
    """US federal convention: Saturday -> the Friday before, Sunday -> the Monday after."""
    if day.weekday() == SAT:
        return day - datetime.timedelta(days=1)
    if day.weekday() == SUN:
        return day + datetime.timedelta(days=1)
    return day


def uk_substitute(day, taken):
    """UK convention: a weekend holiday moves to the next weekday that is not already a holiday."""
    while day.weekday() >= SAT or day in taken:
        day += datetime.timedelta(days=1)
    return day


# --- the rules --------------------------------------------------------------------------------

# Closures an exchange announced that no rule yields.
XNYS_SPECIAL_CLOSURES = {
    datetime.date(2025, 1, 9): "National Day of Mourning for President Jimmy Carter",
}
XLON_SPECIAL_CLOSURES = {}


def xnys_year(year):
    days = set()
    new_year = datetime.date(year, 1, 1)
    if new_year.weekday() != SAT:  # NYSE: a Saturday New Year's Day is not observed on Friday
        days.add(us_observed(new_year))
    days.add(nth_weekday(year, 1, MON, 3))    # Martin Luther King Jr. Day
    days.add(nth_weekday(year, 2, MON, 3))    # Washington's Birthday
    days.add(easter_sunday(year) - datetime.timedelta(days=2))  # Good Friday
    days.add(nth_weekday(year, 5, MON, -1))   # Memorial Day
    days.add(us_observed(datetime.date(year, 6, 19)))   # Juneteenth
    days.add(us_observed(datetime.date(year, 7, 4)))    # Independence Day
    days.add(nth_weekday(year, 9, MON, 1))    # Labor Day
    days.add(nth_weekday(year, 11, THU, 4))   # Thanksgiving Day
    days.add(us_observed(datetime.date(year, 12, 25)))  # Christmas Day
    days.update(d for d in XNYS_SPECIAL_CLOSURES if d.year == year)
    return days


def xlon_year(year):
    days = set()
    days.add(uk_substitute(datetime.date(year, 1, 1), days))   # New Year's Day
    easter = easter_sunday(year)
    days.add(easter - datetime.timedelta(days=2))  # Good Friday
    days.add(easter + datetime.timedelta(days=1))  # Easter Monday
    days.add(nth_weekday(year, 5, MON, 1))    # Early May bank holiday
    days.add(nth_weekday(year, 5, MON, -1))   # Spring bank holiday
    days.add(nth_weekday(year, 8, MON, -1))   # Summer bank holiday
    days.add(uk_substitute(datetime.date(year, 12, 25), days))  # Christmas Day
    days.add(uk_substitute(datetime.date(year, 12, 26), days))  # Boxing Day
    days.update(d for d in XLON_SPECIAL_CLOSURES if d.year == year)
    return days


RULES = {"xnys.yml": xnys_year, "xlon.yml": xlon_year}


def expected(rule):
    days = set()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        days |= rule(year)
    return days


# --- loading ----------------------------------------------------------------------------------

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_day(value):
    """A YAML date key (PyYAML's timestamp, or a quoted YYYY-MM-DD string) as a date, else None."""
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a mapping repeating a key (also 2025-01-01 vs "2025-01-01")."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            normal = as_day(key) or key
            if normal in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"duplicate key {key!r} (first at line {seen[normal].line + 1})",
                    key_node.start_mark)
            seen[normal] = key_node.start_mark
        return super().construct_mapping(node, deep)


def load(path):
    with open(path, encoding="utf-8") as stream:
        return yaml.load(stream, Loader=UniqueKeyLoader)


# --- tests ------------------------------------------------------------------------------------

class HelperTest(unittest.TestCase):
    """The test's own helpers, against dates known independently of it."""

    def test_easter(self):
        known = {2000: (4, 23), 2008: (3, 23), 2011: (4, 24), 2019: (4, 21), 2024: (3, 31),
                 2025: (4, 20), 2026: (4, 5), 2027: (3, 28), 2028: (4, 16)}
        for year, (month, day) in known.items():
            self.assertEqual(easter_sunday(year), datetime.date(year, month, day), year)

    def test_nth_weekday(self):
        self.assertEqual(nth_weekday(2024, 11, THU, 4), datetime.date(2024, 11, 28))
        self.assertEqual(nth_weekday(2024, 5, MON, -1), datetime.date(2024, 5, 27))
        self.assertEqual(nth_weekday(2024, 12, TUE, -1), datetime.date(2024, 12, 31))
        self.assertEqual(nth_weekday(2024, 9, MON, 1), datetime.date(2024, 9, 2))

    def test_observed(self):
        self.assertEqual(us_observed(datetime.date(2021, 12, 25)), datetime.date(2021, 12, 24))
        self.assertEqual(us_observed(datetime.date(2022, 12, 25)), datetime.date(2022, 12, 26))
        # UK 2022: Christmas on Sunday, Boxing Day Monday, Christmas substitute Tuesday.
        taken = set()
        taken.add(uk_substitute(datetime.date(2022, 12, 25), taken))
        taken.add(uk_substitute(datetime.date(2022, 12, 26), taken))
        self.assertEqual(taken, {datetime.date(2022, 12, 26), datetime.date(2022, 12, 27)})

    def test_duplicate_keys_rejected(self):
        with self.assertRaises(yaml.constructor.ConstructorError):
            yaml.load("holidays:\n  2025-01-01: a\n  '2025-01-01': b\n", Loader=UniqueKeyLoader)


class CalendarFilesTest(unittest.TestCase):

    def test_every_file_has_rules(self):
        present = {name for name in os.listdir(CALENDARS_DIR) if name.endswith((".yml", ".yaml"))}
        self.assertEqual(present, set(RULES), f"calendar files in {CALENDARS_DIR} vs rules here")

    def check_file(self, name):
        path = os.path.join(CALENDARS_DIR, name)
        document = load(path)  # raises on invalid YAML and on duplicate keys
        self.assertIsInstance(document, dict, path)
        self.assertEqual(set(document), {"valid_through", "holidays"}, f"{path}: top-level keys")
        self.assertEqual(as_day(document["valid_through"]), VALID_THROUGH, f"{path}: valid_through")
        holidays = document["holidays"]
        self.assertIsInstance(holidays, dict, f"{path}: holidays must be a mapping")

        days = set()
        for key, title in holidays.items():
            day = as_day(key)
            self.assertIsNotNone(day, f"{path}: {key!r} is not a YYYY-MM-DD date")
            self.assertTrue(isinstance(title, str) and title.strip(),
                            f"{path}: {day} needs a name, got {title!r}")
            self.assertLess(day.weekday(), SAT, f"{path}: {day} ({title}) is a {day:%A}")
            days.add(day)

        want = expected(RULES[name])
        missing = sorted(want - days)
        extra = sorted(days - want)
        if missing or extra:
            self.fail(f"{path}: differs from the rules: "
                      f"missing {', '.join(map(str, missing)) or 'none'}; "
                      f"not a closure by the rules {', '.join(map(str, extra)) or 'none'}")

    def test_xnys(self):
        self.check_file("xnys.yml")

    def test_xlon(self):
        self.check_file("xlon.yml")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        CALENDARS_DIR = sys.argv.pop(1)
    unittest.main(verbosity=2)
