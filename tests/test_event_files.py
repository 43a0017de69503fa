from pathlib import Path

import pytest

from hub.event_files import EventFileError, load_event_file, load_events

EVENTS = Path(__file__).resolve().parents[1] / "config" / "events"


def test_shipped_events_load():
    events = load_events(EVENTS)
    assert set(events) == {"grand-est-2020", "esenesr-20ans-2017", "eclore-2019", "normandie-2020", "egn-national-2020"}
    ge = events["grand-est-2020"]
    assert len(ge.sites) == 7
    assert sum(s.kind.value == "experience_report" for s in ge.programme) >= 30
    assert events["esenesr-20ans-2017"].hashtag == "#esenesr20"
    assert sum(s.kind.value == "round_table" for s in events["esenesr-20ans-2017"].programme) == 4
    assert len(events["eclore-2019"].sites) == 4


@pytest.mark.parametrize("body, field, problem", [
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: []\n", "sites", "at least one site"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A}]\n", "sites[0]", "missing required field `city`"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\nhashtag: nope\n", "hashtag", "#word"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\ncolour: red\n", "(top level)",
     "unknown field `colour`"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\nprogramme:\n"
     "  - {title: t, kind: talk, start: '10:00', end: '09:00', site: a}\n", "programme[0].end", "after start"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\nprogramme:\n"
     "  - {title: t, kind: dance, start: '09:00', end: '10:00', site: a}\n", "programme[0].kind", "Invalid enum"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\nprogramme:\n"
     "  - {title: t, kind: talk, start: '9h', end: '10:00', site: zz}\n", "programme[0].site", "unknown site"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\nlanguage: de\n", "language", "fr, en"),
    ("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C, language: es}]\n", "sites[0].language",
     "fr, en"),
    ("id: [unclosed\n", "line 2", "not valid YAML"),
    ("id: y\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\n", "id", "file name"),
])
def test_bad_event_file_names_file_field_and_problem(tmp_path, body, field, problem):
    path = tmp_path / "x.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EventFileError) as err:
        load_event_file(path)
    assert err.value.field == field
    assert problem in err.value.problem
    assert str(path) in str(err.value)


def test_prepared_polls_are_checked_like_commands(tmp_path):
    import pytest

    from hub.event_files import EventFileError, load_event_file
    path = tmp_path / "x.yaml"
    path.write_text("id: x\ntitle: T\ndate: 2020-01-01\nsites: [{id: a, name: A, city: C}]\n"
                    "polls:\n  - {question: Q, kind: dance}\n")
    with pytest.raises(EventFileError) as err:
        load_event_file(path)
    assert err.value.field == "polls[0].kind"
