"""`manage.py screen NCT_ID ANSWERS [--format json|text]`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from screening.models import Application, Criterion, Draft
from tests.engine_personas import AGNES

pytestmark = pytest.mark.django_db


def screen(tmp_path, answers, *args):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    out = io.StringIO()
    call_command("screen", "NCT04356287", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_likely_eligible_patient_prints_the_evaluation_snapshot(reference_trial, tmp_path):
    evaluation = json.loads(screen(tmp_path, AGNES))
    assert evaluation["trial"] == "NCT04356287"
    assert (evaluation["verdict"], evaluation["score"]) == ("likely_eligible", 1.0)
    assert [(c["kind"], c["number"]) for c in evaluation["criteria"]] == [
        ("inclusion", str(n)) for n in range(1, 5)
    ] + [("exclusion", str(n)) for n in range(1, 14)]
    assert all(c["outcome"] in {"met", "not_met"} for c in evaluation["criteria"])


def test_i_dont_know_on_the_skin_score_needs_review(reference_trial, tmp_path):
    evaluation = json.loads(screen(tmp_path, {**AGNES, "mrss": None}))
    assert evaluation["verdict"] == "needs_review"
    inclusion_2 = evaluation["criteria"][1]
    assert inclusion_2["outcome"] == "unknown"
    assert "We don't know your skin score yet" in inclusion_2["explanation"]


def test_a_sixteen_year_old_is_not_eligible(reference_trial, tmp_path):
    evaluation = json.loads(screen(tmp_path, {"age": 16}))
    assert evaluation["verdict"] == "not_eligible"
    exclusion_1 = evaluation["criteria"][4]
    assert (exclusion_1["number"], exclusion_1["outcome"]) == ("1", "met")
    assert "16" in exclusion_1["explanation"]


def test_text_format_lists_each_criterion(reference_trial, tmp_path):
    text = screen(tmp_path, AGNES, "--format", "text")
    assert text.startswith("NCT04356287: likely_eligible")
    assert "Exclusion 13" in text


def test_answers_can_come_from_stdin(reference_trial, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"age": 16})))
    out = io.StringIO()
    call_command("screen", "NCT04356287", "-", stdout=out)
    assert json.loads(out.getvalue())["verdict"] == "not_eligible"


@pytest.mark.parametrize(
    ("answers", "keys"),
    [
        ({"age": "abc"}, ["age"]),
        ({"pregnant": "yes"}, ["pregnant"]),
        ({"mrss": 60}, ["mrss"]),
        ({"shoe_size": 42}, ["shoe_size"]),
        ({"age": "abc", "pregnant": "yes", "mrss": 60}, ["age", "pregnant", "mrss"]),
    ],
)
def test_refused_answers_exit_non_zero_naming_every_key(reference_trial, tmp_path, answers, keys):
    with pytest.raises(CommandError) as refused:
        screen(tmp_path, answers)
    for key in keys:
        assert f"{key}:" in str(refused.value)
    assert not Application.objects.exists()
    assert not Draft.objects.exists()
    assert Criterion.objects.count() == 17


def test_answers_that_are_not_an_object_are_refused(reference_trial, tmp_path):
    with pytest.raises(CommandError, match="must be an object"):
        screen(tmp_path, ["age", 40])


def test_answers_that_are_not_json_are_refused(reference_trial, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text("{age: 40", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("screen", "NCT04356287", str(path))


def test_an_unknown_trial_is_refused(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="No trial 'NCT99999999'"):
        call_command("screen", "NCT99999999", str(path))


def test_the_command_exits_non_zero_from_the_shell(reference_trial, tmp_path):
    # call_command raises; a real run turns CommandError into exit status 1.
    from django.core.management import ManagementUtility

    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"mrss": 60}), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "screen", "NCT04356287", str(path)]).execute()
    assert exited.value.code == 1
