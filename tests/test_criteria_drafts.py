"""Drafted rules: stored on import, reviewed by the study team, used in screening.

Personas: alice coordinates the drafted trial, ivy is its investigator (read-only), bob
coordinates another trial and must get 404; a patient answers the questionnaire.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import AuditEvent, TrialMembership
from screening.dashboard.criteria import text_segments
from screening.eligibility import rule_keys
from screening.models import Application, Criterion
from screening.rule_words import criterion_rule_in_words, rule_in_words
from screening.selectors import trial_criteria, trial_evaluate, trial_questions, trials_screen_all
from screening.services.criteria import criteria_load_reference, criterion_update
from screening.services.drafts import (
    ReviewInvalid,
    criterion_confirm,
    criterion_reject,
    trial_criteria_draft,
)
from tests.drafted_trials import CRITERIA, NCT_ID, drafted_trial
from tests.factories import MembershipFactory, TrialFactory, UserFactory, trial_from_ctgov
from tests.patient_journey import walk

pytestmark = pytest.mark.django_db

Origin, State = Criterion.Origin, Criterion.ReviewState

PATIENT_CONTACT = {
    "full_name": "Hélène Fortin",
    "email": "helene@example.org",
    "phone": "",
    "contact_method": "email",
    "contact_time": "morning",
    "consent_contact": "on",
    "consent_share": "on",
}


@pytest.fixture
def trial():
    return drafted_trial()


@pytest.fixture
def team(trial):
    alice = UserFactory(email="alice@example.org", first_name="Alice")
    ivy = UserFactory(email="ivy@example.org", first_name="Ivy")
    bob = UserFactory(email="bob@example.org", first_name="Bob")
    MembershipFactory(user=alice, trial=trial)
    MembershipFactory(user=ivy, trial=trial, role=TrialMembership.Role.INVESTIGATOR)
    MembershipFactory(user=bob, trial=TrialFactory(nct_id="NCT09900002"))
    return alice, ivy, bob


def row(trial, kind, number):
    return trial.criteria.get(kind=kind, number=number)


# --- Drafting on import ----------------------------------------------------------------


def test_the_importer_stores_one_drafted_criterion_per_published_item(trial):
    rows = [(c.kind, c.number, c.origin, c.review_state) for c in trial.criteria.all()]
    assert rows == [
        ("inclusion", "1", Origin.DRAFTER, State.DRAFTED),
        ("inclusion", "2", Origin.DRAFTER, State.DRAFTED),
        ("exclusion", "1", Origin.DRAFTER, State.DRAFTED),
        ("exclusion", "2", Origin.DRAFTER, State.DRAFTED),
    ]
    age = row(trial, "inclusion", "1")
    assert age.rule == age.draft_rule == {"q": "age", "op": "ge", "value": 40}
    assert age.draft_spans and all(0 <= a < b <= len(age.text) for a, b in age.draft_spans)
    consent = row(trial, "inclusion", "2")
    assert consent.rule is None and consent.draft_rule is None and consent.draft_spans == []
    assert row(trial, "exclusion", "1").rule == {"q": "pregnant", "op": "eq", "value": True}


def test_a_drafted_trial_is_screened_on_its_drafts_beyond_its_basics(trial):
    specs = trial_criteria(trial=trial)
    # The drafted age rule stands in for the listing's; no "other published criteria".
    assert [(s.kind, s.number) for s in specs] == [
        ("inclusion", "1"),
        ("inclusion", "2"),
        ("exclusion", "1"),
        ("exclusion", "2"),
    ]
    keys = {q.key for q in trial_questions(trial=trial)}
    assert {"age", "pregnant", "hemoglobin_g_dl"} <= keys


def test_drafted_inclusions_keep_the_healthy_volunteer_rule():
    trial = drafted_trial(nct_id="NCT09900003")
    trial.healthy_volunteers = False
    trial.save()
    numbers = [s.number for s in trial_criteria(trial=trial)]
    assert "healthy_volunteers" in numbers


def test_the_reference_trial_is_never_drafted_and_keeps_its_hand_encoded_rules():
    trial = trial_from_ctgov("NCT04356287")
    assert not trial.criteria.exists()
    assert trial_criteria_draft(trial=trial).skipped
    stored = criteria_load_reference()
    assert len(stored) == 17
    assert {(c.origin, c.review_state) for c in stored} == {(Origin.TEAM, State.CONFIRMED)}
    assert not any(spec.unchecked for spec in trial_criteria(trial=trial))


def test_a_draft_the_schema_refuses_is_stored_as_no_draft(monkeypatch, trial):
    from screening.engine.drafter import DraftedRule
    from screening.services import drafts

    monkeypatch.setattr(
        drafts,
        "draft_criterion",
        lambda text, kind, lead="": DraftedRule(
            rule={"q": "no_such_question", "op": "eq", "value": True}, spans=((0, 3),), facts=()
        ),
    )
    trial.criteria.all().delete()
    report = trial_criteria_draft(trial=trial)
    assert report.created == 4 and report.drafted == 0
    assert not trial.criteria.filter(rule__isnull=False).exists()


# --- The review state machine ----------------------------------------------------------


def test_confirming_keeps_the_draft_as_the_rule_and_marks_it_checked(trial):
    criterion = criterion_confirm(criterion=row(trial, "exclusion", "1"))
    assert criterion.review_state == State.CONFIRMED
    assert criterion.origin == Origin.DRAFTER
    assert criterion.rule == criterion.draft_rule
    assert not criterion.unchecked


def test_rejecting_stops_the_draft_from_screening_but_keeps_it_to_show(trial):
    criterion = criterion_reject(criterion=row(trial, "exclusion", "2"))
    assert criterion.review_state == State.REJECTED
    assert criterion.rule is None
    assert criterion.draft_rule == {"q": "hemoglobin_g_dl", "op": "lt", "value": 9}
    assert "hemoglobin_g_dl" not in {q.key for q in trial_questions(trial=trial)}


def test_the_team_can_change_its_mind_both_ways(trial):
    criterion = row(trial, "exclusion", "1")
    criterion = criterion_reject(criterion=criterion)
    criterion = criterion_confirm(criterion=criterion)
    assert (criterion.review_state, criterion.rule) == (State.CONFIRMED, criterion.draft_rule)
    criterion = criterion_reject(criterion=criterion)
    assert (criterion.review_state, criterion.rule) == (State.REJECTED, None)


@pytest.mark.parametrize(
    ("first", "again"),
    [(criterion_confirm, criterion_confirm), (criterion_reject, criterion_reject)],
)
def test_the_same_decision_twice_is_refused_and_changes_nothing(trial, first, again):
    criterion = first(criterion=row(trial, "exclusion", "1"))
    with pytest.raises(ReviewInvalid):
        again(criterion=criterion)
    assert row(trial, "exclusion", "1").review_state == criterion.review_state


@pytest.mark.parametrize("decide", [criterion_confirm, criterion_reject])
def test_only_a_draft_can_be_confirmed_or_rejected(trial, decide):
    with pytest.raises(ReviewInvalid):
        decide(criterion=row(trial, "inclusion", "2"))  # the drafter read nothing
    reference = trial_from_ctgov("NCT04356287")
    criteria_load_reference()
    with pytest.raises(ReviewInvalid):
        decide(criterion=reference.criteria.get(kind="exclusion", number="1"))


def test_editing_a_draft_makes_it_the_teams_rule_confirmed(trial):
    criterion = row(trial, "exclusion", "2")
    criterion = criterion_update(
        criterion=criterion, rule={"q": "hemoglobin_g_dl", "op": "lt", "value": 8}
    )
    assert (criterion.origin, criterion.review_state) == (Origin.TEAM, State.CONFIRMED)
    assert not criterion.unchecked


def test_saving_a_draft_unchanged_confirms_it(trial):
    criterion = row(trial, "exclusion", "1")
    criterion = criterion_update(criterion=criterion, rule=dict(criterion.draft_rule))
    assert (criterion.origin, criterion.review_state) == (Origin.DRAFTER, State.CONFIRMED)


def test_editing_the_text_drops_the_spans_that_pointed_into_it(trial):
    criterion = criterion_update(criterion=row(trial, "inclusion", "1"), text="Aged 40 or more")
    assert criterion.draft_spans == []


# --- Audit ---------------------------------------------------------------------------


def test_every_decision_is_audited_with_who_what_and_the_states(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    pregnancy, haemoglobin = row(trial, "exclusion", "1"), row(trial, "exclusion", "2")
    url = "dashboard:criterion_review"
    client.post(reverse(url, args=[NCT_ID, pregnancy.pk]), {"decision": "confirm"})
    client.post(reverse(url, args=[NCT_ID, haemoglobin.pk]), {"decision": "reject"})
    events = list(
        AuditEvent.objects.filter(action__in=["criterion.confirm", "criterion.reject"]).order_by(
            "pk"
        )
    )
    assert [(e.action, e.actor, e.trial_id, e.target_id) for e in events] == [
        ("criterion.confirm", alice, NCT_ID, "exclusion 1"),
        ("criterion.reject", alice, NCT_ID, "exclusion 2"),
    ]
    assert events[0].detail == {
        "criterion_id": pregnancy.pk,
        "from_status": "drafted",
        "to_status": "confirmed",
    }
    assert events[0].ip_address == "127.0.0.1"


def test_an_edit_of_a_draft_is_audited_with_its_change_of_state(trial):
    alice = UserFactory(email="alice@example.org")
    criterion_update(
        criterion=row(trial, "exclusion", "2"),
        rule={"q": "hemoglobin_g_dl", "op": "lt", "value": 8},
        by=alice,
    )
    event = AuditEvent.objects.get(action="criterion.update")
    assert event.detail["from_status"] == "drafted"
    assert event.detail["to_status"] == "confirmed"
    assert event.detail["fields"] == ["rule"]


def test_a_refused_decision_writes_no_audit_row(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    consent = row(trial, "inclusion", "2")
    response = client.post(
        reverse("dashboard:criterion_review", args=[NCT_ID, consent.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="criterion.confirm").exists()
    page = client.get(response.url)
    assert "There is no drafted rule to confirm" in page.content.decode()


# --- The editor -------------------------------------------------------------------------


def test_the_editor_shows_the_read_span_beside_the_draft_in_words(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    content = client.get(reverse("dashboard:criteria", args=[NCT_ID])).content.decode()
    pregnancy = row(trial, "exclusion", "1")
    (start, end), *_more = pregnancy.draft_spans
    assert f'<mark title="Read by the drafter">{pregnancy.text[start:end]}</mark>' in content
    assert "Met when age is 40 years or more." in content
    assert "Excludes the patient when answers Yes to “Are you pregnant?”." in content
    assert "No draft: the drafter could not read this criterion" in content
    assert "3 drafted rules wait for your review" in content
    assert content.count('name="decision" value="confirm"') == 3


def test_editing_a_draft_shows_what_the_drafter_read_and_saving_confirms_it(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    haemoglobin = row(trial, "exclusion", "2")
    url = reverse("dashboard:criterion_edit", args=[NCT_ID, haemoglobin.pk])
    content = client.get(url).content.decode()
    assert "What the drafter read" in content
    assert "Draft:</span> Excludes the patient when haemoglobin is below 9 g/dL." in content
    response = client.post(
        url,
        {
            "kind": "exclusion",
            "number": "2",
            "position": haemoglobin.position,
            "text": haemoglobin.text,
            "rule": "hemoglobin_g_dl < 8",
            "verify_note": "",
            "save": "1",
        },
    )
    assert response.status_code == 302
    edited = row(trial, "exclusion", "2")
    assert (edited.origin, edited.review_state) == (Origin.TEAM, State.CONFIRMED)
    event = AuditEvent.objects.get(action="criterion.update")
    assert (event.actor, event.detail["to_status"]) == (alice, "confirmed")


def test_the_editor_list_uses_a_bounded_number_of_queries(
    client, trial, team, django_assert_max_num_queries
):
    alice, _ivy, _bob = team
    many = CRITERIA + "".join(f"* Weight over {100 + n} kg\n" for n in range(30))
    drafted_trial(criteria=many)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dashboard:criteria", args=[NCT_ID]))
    assert response.status_code == 200
    assert response.content.decode().count('value="reject"') == 33


def test_confirming_in_one_step_returns_to_the_criterion(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    pregnancy = row(trial, "exclusion", "1")
    response = client.post(
        reverse("dashboard:criterion_review", args=[NCT_ID, pregnancy.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"/criteria/#criterion-{pregnancy.pk}")
    assert row(trial, "exclusion", "1").review_state == State.CONFIRMED


def test_an_unknown_decision_is_refused_with_400(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    pregnancy = row(trial, "exclusion", "1")
    response = client.post(
        reverse("dashboard:criterion_review", args=[NCT_ID, pregnancy.pk]), {"decision": "maybe"}
    )
    assert response.status_code == 400
    assert row(trial, "exclusion", "1").review_state == State.DRAFTED


def test_an_investigator_reads_drafts_but_cannot_decide(client, trial, team):
    _alice, ivy, _bob = team
    client.force_login(ivy)
    content = client.get(reverse("dashboard:criteria", args=[NCT_ID])).content.decode()
    assert "Met when age is 40 years or more." in content
    assert 'value="confirm"' not in content
    pregnancy = row(trial, "exclusion", "1")
    response = client.post(
        reverse("dashboard:criterion_review", args=[NCT_ID, pregnancy.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 403
    assert row(trial, "exclusion", "1").review_state == State.DRAFTED


def test_another_trials_coordinator_gets_404(client, trial, team):
    _alice, _ivy, bob = team
    client.force_login(bob)
    pregnancy = row(trial, "exclusion", "1")
    response = client.post(
        reverse("dashboard:criterion_review", args=[NCT_ID, pregnancy.pk]), {"decision": "reject"}
    )
    assert response.status_code == 404
    assert row(trial, "exclusion", "1").review_state == State.DRAFTED


def test_the_dashboard_home_counts_the_drafts_waiting_per_trial(client, trial, team):
    alice, _ivy, _bob = team
    client.force_login(alice)
    assert "3 drafted rules to review" in client.get(reverse("dashboard:home")).content.decode()
    criterion_confirm(criterion=row(trial, "exclusion", "1"))
    criterion_reject(criterion=row(trial, "exclusion", "2"))
    content = client.get(reverse("dashboard:home")).content.decode()
    assert "1 drafted rule to review" in content


# --- Re-importing ------------------------------------------------------------------------


def test_reimporting_keeps_decisions_on_unchanged_texts_and_marks_changed_ones(trial):
    criterion_confirm(criterion=row(trial, "exclusion", "1"))  # Pregnancy
    criterion_reject(criterion=row(trial, "exclusion", "2"))  # Hemoglobin < 9 g/dL
    criterion_update(
        criterion=row(trial, "inclusion", "1"), rule={"q": "age", "op": "ge", "value": 45}
    )
    changed = CRITERIA.replace("Age 40 years or older", "Age 50 years or older").replace(
        "* Pregnancy\n", "* Breathing difficulties\n* Pregnancy\n"
    )
    drafted_trial(criteria=changed)

    pregnancy = trial.criteria.get(text="Pregnancy")
    assert (pregnancy.number, pregnancy.review_state) == ("2", State.CONFIRMED)
    haemoglobin = trial.criteria.get(text="Hemoglobin < 9 g/dL")
    assert (haemoglobin.number, haemoglobin.review_state, haemoglobin.rule) == (
        "3",
        State.REJECTED,
        None,
    )
    age = row(trial, "inclusion", "1")
    assert age.text == "Age 50 years or older"
    assert (age.origin, age.review_state, age.text_changed) == (Origin.DRAFTER, State.DRAFTED, True)
    assert age.rule == {"q": "age", "op": "ge", "value": 50}
    assert age.awaiting_review
    assert row(trial, "exclusion", "1").text == "Breathing difficulties"
    assert not row(trial, "exclusion", "1").text_changed


def test_reimporting_an_unchanged_record_changes_nothing(trial):
    criterion_confirm(criterion=row(trial, "exclusion", "1"))
    before = list(trial.criteria.values_list("pk", "number", "rule", "review_state"))
    drafted_trial()
    assert list(trial.criteria.values_list("pk", "number", "rule", "review_state")) == before


def test_a_withdrawn_item_loses_its_draft_but_a_criterion_the_team_added_stays(trial):
    from screening.services.criteria import criterion_create

    criterion_create(trial=trial, kind="inclusion", number="X1", text="Lives near", rule=None)
    drafted_trial(criteria=CRITERIA.replace("* Hemoglobin < 9 g/dL\n", ""))
    assert sorted(trial.criteria.values_list("kind", "number")) == [
        ("exclusion", "1"),
        ("inclusion", "1"),
        ("inclusion", "2"),
        ("inclusion", "X1"),
    ]


def test_restarted_numbering_keeps_every_item_apart():
    text = "Inclusion Criteria:\n\n1. Age 40 years or older\n\nPart B:\n\n1. Pregnancy\n"
    trial = drafted_trial(nct_id="NCT09900004", criteria=text)
    numbers = list(trial.criteria.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == trial.criteria.count() >= 2


# --- Screening uses them ----------------------------------------------------------------

PATIENT = {"age": 52, "sex": "female", "pregnant": True, "hemoglobin_g_dl": 12.5}


def test_an_unchecked_draft_counts_and_is_marked_in_the_snapshot(trial):
    evaluation = trial_evaluate(trial=trial, answers=PATIENT)
    assert evaluation["verdict"] == "not_eligible"
    pregnancy = next(c for c in evaluation["criteria"] if c["text"] == "Pregnancy")
    assert pregnancy["outcome"] == "met" and pregnancy["unchecked"] is True


def test_a_confirmed_draft_counts_as_a_hand_encoded_rule(trial):
    criterion_confirm(criterion=row(trial, "exclusion", "1"))
    evaluation = trial_evaluate(trial=trial, answers=PATIENT)
    pregnancy = next(c for c in evaluation["criteria"] if c["text"] == "Pregnancy")
    assert evaluation["verdict"] == "not_eligible"
    assert "unchecked" not in pregnancy


def test_a_rejected_draft_does_not_count(trial):
    criterion_reject(criterion=row(trial, "exclusion", "1"))
    evaluation = trial_evaluate(trial=trial, answers=PATIENT)
    pregnancy = next(c for c in evaluation["criteria"] if c["text"] == "Pregnancy")
    assert pregnancy["outcome"] == "unknown"
    assert evaluation["verdict"] == "needs_review"
    assert "pregnant" not in {q.key for q in trial_questions(trial=trial)}


def test_screening_every_trial_agrees_with_each_trials_evaluation(trial):
    other = drafted_trial(nct_id="NCT09900005")
    criterion_reject(criterion=row(other, "exclusion", "1"))
    verdicts = {s.nct_id: s.verdict for s in trials_screen_all(answers=PATIENT)}
    for each in (trial, other):
        assert verdicts[each.nct_id] == trial_evaluate(trial=each, answers=PATIENT)["verdict"]
    assert verdicts[NCT_ID] == "not_eligible"
    assert verdicts["NCT09900005"] == "needs_review"


def test_the_result_page_says_which_outcomes_are_unchecked_and_offers_to_apply(client, trial):
    response, _steps = walk(client, trial, PATIENT)
    page = client.get(reverse("screening:result", args=[NCT_ID])).content.decode()
    assert "You are probably not eligible" in page
    assert "This comes from an automatic reading of the trial's published criteria" in page
    assert "The study team has not yet checked how the portal reads these criteria" in page
    assert "Send my details to the study team" in page


def test_a_patient_turned_away_by_an_unchecked_draft_can_still_send_their_details(client, trial):
    walk(client, trial, PATIENT)
    apply_url = reverse("screening:apply", args=[NCT_ID])
    assert client.get(apply_url).status_code == 200
    response = client.post(apply_url, PATIENT_CONTACT)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.verdict == "not_eligible"
    assert any(c.get("unchecked") for c in application.evaluation["criteria"])


def test_the_coordinator_sees_which_outcomes_were_unchecked_when_the_patient_applied(
    client, trial, team
):
    walk(client, trial, PATIENT)
    client.post(reverse("screening:apply", args=[NCT_ID]), PATIENT_CONTACT)
    application = Application.objects.get()
    criterion_confirm(criterion=row(trial, "exclusion", "1"))  # later: the snapshot stays
    alice, _ivy, _bob = team
    client.force_login(alice)
    page = client.get(reverse("dashboard:applicant", args=[application.reference]))
    assert page.status_code == 200
    assert "Drafted rule, not checked by the team when the patient applied." in (
        page.content.decode()
    )


def test_a_checked_exclusion_does_not_claim_to_be_an_automatic_reading(client, trial):
    criterion_confirm(criterion=row(trial, "exclusion", "1"))
    walk(client, trial, PATIENT)
    page = client.get(reverse("screening:result", args=[NCT_ID])).content.decode()
    assert "You are probably not eligible" in page
    assert "The study team has not yet checked how the portal reads" not in page
    assert "Leave my details anyway" in page


def test_the_questionnaire_asks_what_the_drafts_need_in_the_existing_steps(client, trial):
    _response, steps = walk(client, trial, {**PATIENT, "pregnant": False})
    asked = [url.rstrip("/").rsplit("/", 1)[-1] for url in steps]
    assert asked == ["about_you", "tests"]


# --- The command ----------------------------------------------------------------------


def test_draft_criteria_drafts_named_trials_again_keeping_decisions(trial):
    criterion_confirm(criterion=row(trial, "exclusion", "1"))
    out = StringIO()
    call_command("draft_criteria", NCT_ID, stdout=out, stderr=StringIO())
    assert f"{NCT_ID}: 4 criteria, 3 with a draft" in out.getvalue()
    assert "trials per second" in out.getvalue()
    assert row(trial, "exclusion", "1").review_state == State.CONFIRMED


def test_draft_criteria_all_shows_progress_and_the_rate(trial):
    trial_from_ctgov("NCT04356287")
    drafted_trial(nct_id="NCT09900006")
    Criterion.objects.all().delete()
    out, err = StringIO(), StringIO()
    call_command("draft_criteria", "--all", "--progress", "on", stdout=out, stderr=err)
    assert "3/3" in err.getvalue()  # tqdm's bar
    assert out.getvalue().startswith("2 trial(s) drafted: 8 criteria, 6 with a draft")
    assert Criterion.objects.filter(trial__nct_id="NCT04356287").count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Name the trials to draft"),
        (("NCT123",), "Not an NCT id"),
        (("NCT09999999",), "No imported trial: NCT09999999"),
        (("--all", "NCT09900001"), "Name the trials to draft"),
        (("a.jsonl", "b.jsonl", "--facts"), "--facts reads exactly one JSONL file"),
    ],
)
def test_draft_criteria_refuses_bad_arguments_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("draft_criteria", *args, stdout=StringIO(), stderr=StringIO())


# --- Words and spans --------------------------------------------------------------------


def test_rules_read_in_words():
    assert rule_in_words({"q": "age", "op": "between", "value": [18, 65]}) == (
        "age is between 18 years and 65 years"
    )
    assert rule_in_words({"q": "sex", "op": "in", "value": ["female", "other"]}) == (
        "sex is one of: Female, Other"
    )
    assert (
        rule_in_words(
            {
                "any": [
                    {"q": "pregnant", "op": "eq", "value": True},
                    {"not": {"q": "bmi", "op": "lt", "value": 30}},
                ]
            }
        )
        == "any of: answers Yes to “Are you pregnant?”; not (body mass index (BMI) is below 30)"
    )
    assert (
        criterion_rule_in_words(
            kind="exclusion", rule={"q": "hemoglobin_g_dl", "op": "lt", "value": 9}
        )
        == "Excludes the patient when haemoglobin is below 9 g/dL."
    )


@given(
    text=st.text(max_size=60),
    spans=st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=5),
)
def test_segments_cover_the_text_exactly_whatever_the_spans(text, spans):
    segments = text_segments(text, [list(span) for span in spans])
    assert "".join(part for part, _read in segments) == text
    assert all(part for part, _read in segments)
    assert all(a != b for (_p, a), (_q, b) in zip(segments, segments[1:], strict=False))


def test_rule_keys_of_drafts_are_questions_of_the_bank(trial):
    from screening.questions import QUESTIONS

    for criterion in trial.criteria.exclude(draft_rule=None):
        assert rule_keys(criterion.draft_rule) <= set(QUESTIONS) | {"bmi"}


# --- The demo -------------------------------------------------------------------------


def test_load_demo_leaves_every_recruiting_trial_with_drafts_beyond_its_basics(settings):
    from trials.models import OverallStatus, Trial

    settings.DEBUG = False  # the trials and criteria only; no demo accounts
    call_command("load_demo", stdout=StringIO())
    recruiting = Trial.objects.filter(
        overall_status__in=[OverallStatus.RECRUITING, OverallStatus.NOT_YET_RECRUITING]
    ).exclude(eligibility_criteria="")
    # The hand-picked demo records (data/ctgov) all get a rule beyond their basics. Of the
    # whole demo catalogue, most do: a trial whose criteria name nothing the question
    # bank can ask ("congenital nevi of at least 2 cm2") is rightly left to the team.
    picked = {path.stem for path in (settings.BASE_DIR / "data" / "ctgov").glob("NCT*.json")}
    ruled_trials = 0
    for trial in recruiting:
        ruled = [spec for spec in trial_criteria(trial=trial) if not spec.basic and spec.rule]
        assert ruled or trial.nct_id not in picked, f"{trial.nct_id} has no rule beyond its basics"
        ruled_trials += bool(ruled)
        questions = {q.key for q in trial_questions(trial=trial)}
        assert set().union(*(rule_keys(spec.rule) for spec in ruled)) <= questions | {"bmi"}
    assert recruiting.filter(nct_id__in=picked).count() >= 3
    assert ruled_trials / recruiting.count() >= 0.80

    # A trial imported before drafting existed (no rows, unchanged record) is drafted by
    # the next load_demo.
    Criterion.objects.filter(trial__nct_id="NCT06388018").delete()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "drafted criteria: " in out.getvalue() and "on 1 trial(s)" in out.getvalue()
    assert Criterion.objects.filter(trial__nct_id="NCT06388018", rule__isnull=False).exists()


# --- Any published text -------------------------------------------------------------------

_LINE = st.one_of(
    st.sampled_from(
        [
            "Inclusion Criteria:",
            "Exclusion Criteria:",
            "Key inclusion criteria",
            "* Age 18 years or older",
            "* Pregnancy",
            "1. Hemoglobin < 9 g/dL",
            "1. Pregnancy",
            "   1.1.1.1.1.1 Weight over 150 kg",
            "a) BMI > 35 kg/m²",
            "",
        ]
    ),
    # Any text a database can store: PostgreSQL's text holds no NUL character, so a
    # record carrying one is refused whole by the importer before it reaches drafting.
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40),
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=st.lists(_LINE, max_size=12), second=st.lists(_LINE, max_size=12))
def test_any_published_text_drafts_into_valid_rows_and_redrafts_idempotently(trial, first, second):
    for lines in (first, second):
        trial.eligibility_criteria = "\n".join(lines)
        trial.save(update_fields=["eligibility_criteria"])
        report = trial_criteria_draft(trial=trial)
        rows = list(trial.criteria.values_list("kind", "number", "rule", "review_state"))
        assert len(rows) == report.items
        assert len({(kind, number) for kind, number, *_ in rows}) == len(rows)
        assert all(0 < len(number) <= 10 for _kind, number, *_ in rows)
        again = trial_criteria_draft(trial=trial)
        assert (again.created, again.changed, again.removed) == (0, 0, 0)
        assert list(trial.criteria.values_list("kind", "number", "rule", "review_state")) == rows


@pytest.mark.parametrize(
    ("decision", "says"),
    [("confirm", "confirmed: it now screens"), ("reject", "rejected: your team checks")],
)
def test_the_outcome_of_a_review_is_shown_in_the_criterion_s_own_row(
    client, trial, team, decision, says
):
    """The page returns scrolled to the criterion: its outcome is there, not at the top."""
    import re

    alice, _ivy, _bob = team
    client.force_login(alice)
    pregnancy = row(trial, "exclusion", "1")
    url = reverse("dashboard:criterion_review", args=[NCT_ID, pregnancy.pk])
    page = client.post(url, {"decision": decision}, follow=True).content.decode()
    in_row = re.search(rf'<tr id="criterion-{pregnancy.pk}".*?</tr>', page, re.S).group(0)
    assert says in in_row and 'role="status"' in in_row
    top = page.split('<table class="table">')[0]
    assert says not in top
    # Shown once: a reload no longer carries it.
    assert says not in client.get(reverse("dashboard:criteria", args=[NCT_ID])).content.decode()


def test_a_decision_that_no_longer_applies_says_why_in_the_row(client, trial, team):
    import re

    alice, _ivy, _bob = team
    client.force_login(alice)
    pregnancy = row(trial, "exclusion", "1")
    url = reverse("dashboard:criterion_review", args=[NCT_ID, pregnancy.pk])
    client.post(url, {"decision": "confirm"})
    page = client.post(url, {"decision": "confirm"}, follow=True).content.decode()
    in_row = re.search(rf'<tr id="criterion-{pregnancy.pk}".*?</tr>', page, re.S).group(0)
    assert "alert-danger" in in_row
