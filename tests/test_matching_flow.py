"""Find trials for me, through its pages: a patient near Montreal with systemic sclerosis."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.matching.services import saved_searches_alert
from screening.models import Criterion, Draft, Notification, SavedSearch
from screening.services.criteria import criteria_load_encoded
from tests.factories import LocationFactory, TrialFactory, trial_from_ctgov
from trials.models import OverallStatus, Sex

pytestmark = pytest.mark.django_db

MONTREAL = (45.50884, -73.58781)
PARIS = (48.8566, 2.3522)


def ssc_trial(nct_id, *, where=MONTREAL, city="Montreal", **fields):
    fields.setdefault("conditions", ["Systemic Sclerosis"])
    trial = TrialFactory(nct_id=nct_id, **fields)
    LocationFactory(
        trial=trial, city=city, latitude=where[0], longitude=where[1], status="RECRUITING"
    )
    return trial


@pytest.fixture
def catalogue():
    """The reference trial (Montreal) and four other SSc trials, each left out for one
    reason or shown."""
    reference = trial_from_ctgov("NCT04356287")
    return {
        "reference": reference,
        "near": ssc_trial("NCT90000001", healthy_volunteers=False),
        "far": ssc_trial("NCT90000002", where=PARIS, city="Paris"),
        "men": ssc_trial("NCT90000003", sex=Sex.MALE),
        "closed": ssc_trial("NCT90000004", overall_status=OverallStatus.COMPLETED),
        "other": TrialFactory(nct_id="NCT90000005", conditions=["Asthma"]),
    }


def start(
    client, condition="systemic sclerosis", distance="100", age="54", sex="female", as_typed=False
):
    """Through the first two steps; `as_typed` goes on with a condition no trial names."""
    data = {"condition": condition, **({"as_typed": "1"} if as_typed else {})}
    response = client.post(reverse("matching:start"), data)
    assert response.status_code == 302
    response = client.post(
        reverse("matching:about"),
        {"age": age, "sex": sex, "place": "Montreal, Canada", "distance": distance},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return response


def asked(response):
    names = set(re.findall(r'name="([a-z_0-9]+)"', response.content.decode()))
    return names - {"csrfmiddlewaretoken", "action", "viewport"}


def test_the_condition_type_ahead_finds_a_mesh_term_from_a_common_word(client):
    TrialFactory(conditions=["Systemic Sclerosis"], keywords=["Scleroderma, Systemic"])
    found = client.post(reverse("matching:terms"), {"q": "sclero"}).json()["terms"]
    assert {"term": "scleroderma, systemic", "trials": 1} in found
    assert {"term": "systemic sclerosis", "trials": 1} in found


def test_what_a_patient_types_for_the_type_ahead_never_goes_in_an_address(client):
    # A condition is health data: only POST bodies carry it, never a URL or access log.
    assert client.get(reverse("matching:terms"), {"q": "sclero"}).status_code == 405
    assert client.get(reverse("matching:places"), {"q": "mont"}).status_code == 405


@pytest.mark.parametrize(
    ("typed", "registry"),
    [
        ("Sjögren", "Sjogren Syndrome"),  # typed with its accent, registered without
        ("SJOGREN", "Sjogren Syndrome"),
        ("behcet", "Behçet Syndrome"),  # registered with it, typed without
        ("Behçet", "Behçet Syndrome"),
        ("diabète", "Diabetes Mellitus"),  # French spelling of an English word
    ],
)
def test_the_condition_ignores_case_and_accents_in_the_type_ahead_and_the_search(
    client, typed, registry
):
    from trials.folding import condition_fold

    trial = ssc_trial("NCT95000001", conditions=[registry])
    found = client.post(reverse("matching:terms"), {"q": typed}).json()["terms"]
    assert {"term": condition_fold(registry), "trials": 1} in found
    # The search itself finds the trial too, not only the type-ahead.
    start(client, condition=typed)
    assert trial.nct_id in client.get(reverse("matching:matches")).content.decode()


def test_matches_rank_the_near_trials_and_count_what_is_left_out(client, catalogue):
    start(client)
    response = client.get(reverse("matching:matches"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "NCT04356287" in html and "NCT90000001" in html
    for hidden in ("NCT90000002", "NCT90000003", "NCT90000004", "NCT90000005"):
        assert hidden not in html
    assert "1 trial has no open site within 100 km of Montreal" in html
    assert "1 trial is open to one sex only." in html
    assert "km away" in html
    # Nothing the patient answered is in the page's links.
    assert "54" not in " ".join(re.findall(r'href="([^"]*)"', html))


def test_any_distance_keeps_the_far_trial_and_orders_it_after_an_equal_near_one(client, catalogue):
    ssc_trial("NCT90000009")  # screened like the Paris trial, but in Montreal
    start(client, distance="any")
    html = client.get(reverse("matching:matches")).content.decode()
    assert html.index("NCT90000009") < html.index("NCT90000002")
    assert "no open site" not in html


def test_questions_show_the_count_and_an_answer_that_rules_a_trial_out_moves_it(client, catalogue):
    start(client)
    response = client.get(reverse("matching:questions"))
    assert response.status_code == 200
    assert "2 trials are still possible" in response.content.decode()
    keys = asked(response)
    assert "healthy_volunteer" in keys or "pregnant" in keys
    answers = {"action": "next"}
    for key in keys:
        answers[key] = "true" if key in ("healthy_volunteer", "pregnant") else "unknown"
        if key.endswith("__unknown"):
            answers[key] = "on"
            answers[key.removesuffix("__unknown")] = ""
    response = client.post(reverse("matching:questions"), answers)
    assert response.status_code == 302
    html = client.get(reverse("matching:matches")).content.decode()
    assert "ruled out by one of your answers" in html


def test_back_returns_to_the_previous_page_of_questions(client, catalogue):
    start(client)
    first = asked(client.get(reverse("matching:questions")))
    data = {"action": "next"}
    for key in first:
        if key.endswith("__unknown"):
            data[key] = "on"
        elif key + "__unknown" not in first:
            data[key] = "false"
    assert client.post(reverse("matching:questions"), data).status_code == 302
    second = client.get(reverse("matching:questions"))
    if second.status_code == 200:
        client.post(reverse("matching:questions"), {"action": "back"})
        assert asked(client.get(reverse("matching:questions"))) == first


def test_a_match_opens_its_questionnaire_without_the_questions_answered(client, catalogue):
    start(client)
    response = client.post(reverse("matching:open", args=["NCT04356287"]), follow=True)
    assert response.status_code == 200
    draft = Draft.objects.get(trial=catalogue["reference"])
    assert draft.answers["age"] == 54 and "age" in draft.carried
    keys = asked(response)
    assert keys, "the trial still needs its own questions"
    assert not keys & {"age", "sex"}


def test_bad_input_gets_a_message_and_a_4xx(client, catalogue):
    assert client.post(reverse("matching:start"), {"condition": ""}).status_code == 400
    client.post(reverse("matching:start"), {"condition": "asthma"})
    response = client.post(
        reverse("matching:about"),
        {"age": "two hundred", "sex": "female", "place": "Atlantis", "distance": "100"},
    )
    assert response.status_code == 400
    assert "We found no study site in" in response.content.decode()
    bad = client.post(reverse("matching:location"), {"latitude": "north", "longitude": "1"})
    assert bad.status_code == 400


def test_browser_location_is_kept_on_the_session_not_in_the_url(client, catalogue):
    client.post(reverse("matching:start"), {"condition": "systemic sclerosis"})
    response = client.post(
        reverse("matching:location"), {"latitude": "45.501", "longitude": "-73.567"}
    )
    assert response.status_code == 200
    response = client.post(
        reverse("matching:about"), {"age": "54", "sex": "female", "place": "", "distance": "25"}
    )
    assert response.status_code == 302 and "45.5" not in response["Location"]
    html = client.get(reverse("matching:matches")).content.decode()
    assert "NCT04356287" in html and "your location" in html


def test_the_matches_page_reads_a_fixed_number_of_queries(
    client, catalogue, django_assert_max_num_queries
):
    start(client)
    client.get(reverse("matching:matches"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("matching:matches"))
    for n in range(20):
        ssc_trial(f"NCT9100{n:04d}", minimum_age=float(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("matching:matches")).status_code == 200


def add_trials_with_the_reference_criteria(reference, numbers):
    rows = list(reference.criteria.values())
    for n in numbers:
        trial = ssc_trial(f"NCT9200{n:04d}", minimum_age=float(n))
        Criterion.objects.bulk_create(
            Criterion(**{**row, "id": None, "trial_id": trial.pk}) for row in rows
        )


@pytest.mark.parametrize("page", ["matching:questions", "matching:matches"])
def test_the_find_pages_read_as_many_queries_for_many_trials_with_criteria_as_for_few(
    client, catalogue, page, django_assert_max_num_queries
):
    """Trials with stored criteria too: their criteria are read once per distinct
    content and process (`criteria_by_digest`), never per trial or per request."""
    criteria_load_encoded(trial=catalogue["reference"])
    add_trials_with_the_reference_criteria(catalogue["reference"], range(2))
    start(client)
    assert client.get(reverse(page)).status_code == 200
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse(page)).status_code == 200
    add_trials_with_the_reference_criteria(catalogue["reference"], range(2, 32))
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert client.get(reverse(page)).status_code == 200
    assert not [q for q in many.captured_queries if "screening_criterion" in q["sql"]]


def save_alerts(client, email="patient@example.org"):
    response = client.post(reverse("matching:alerts"), {"email": email, "consent": "on"})
    assert response.status_code == 302
    return SavedSearch.objects.get(email=email)


def test_alerts_need_explicit_consent_and_record_its_version(client, catalogue):
    start(client)
    response = client.post(reverse("matching:alerts"), {"email": "patient@example.org"})
    assert response.status_code == 400 and not SavedSearch.objects.exists()
    saved = save_alerts(client)
    assert saved.consent_version == "alerts-1" and saved.answers["age"] == 54
    assert set(saved.known_trials) == {"NCT04356287", "NCT90000001"}


def test_one_email_for_a_new_fitting_trial_none_for_unfitting_or_closed_at_most_weekly(
    client, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    start(client)
    saved = save_alerts(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_searches_alert() == 0
    # Not fitting: men only, closed, too far.
    ssc_trial("NCT92000001", sex=Sex.MALE)
    ssc_trial("NCT92000002", overall_status=OverallStatus.COMPLETED)
    ssc_trial("NCT92000003", where=PARIS, city="Paris")
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_searches_alert() == 0
    assert mailoutbox == []
    ssc_trial("NCT92000004")
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_searches_alert() == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["patient@example.org"]
    assert "1 new clinical trial may fit you" in email.subject
    body = email.body
    assert saved.token in body
    for health in ("54", "female", "sclerosis", "NCT92000004", "Montreal"):
        assert health.lower() not in body.lower()
    # Another new trial the same week waits; a week later it is announced.
    ssc_trial("NCT92000005")
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_searches_alert() == 0
        assert saved_searches_alert(now=timezone.now() + timedelta(days=8)) == 1
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_searches_alert(now=timezone.now() + timedelta(days=30)) == 0


def test_the_private_link_shows_the_answers_and_stop_and_erase_leaves_no_row_with_the_email(
    client, catalogue, django_capture_on_commit_callbacks
):
    start(client)
    saved = save_alerts(client, email="erase.me@example.org")
    ssc_trial("NCT93000001")
    with django_capture_on_commit_callbacks(execute=True):
        saved_searches_alert()
    assert Notification.objects.filter(to_email="erase.me@example.org").exists()
    page = client.get(reverse("matching:saved", args=[saved.token]))
    assert page.status_code == 200 and "How old are you?" in page.content.decode()
    assert client.get(reverse("matching:erase", args=[saved.token])).status_code == 200
    assert client.post(reverse("matching:erase", args=[saved.token])).status_code == 302
    assert not SavedSearch.objects.filter(email__iexact="erase.me@example.org").exists()
    assert not Notification.objects.filter(to_email__iexact="erase.me@example.org").exists()
    assert client.get(reverse("matching:saved", args=[saved.token])).status_code == 404
    # Nor does this browser keep the answers: the matches ask to start again.
    assert client.get(reverse("matching:matches")).url == reverse("matching:start")


def test_the_private_link_changes_the_saved_answers(client, catalogue):
    start(client)
    saved = save_alerts(client)
    other = client.__class__()
    response = other.post(reverse("matching:saved", args=[saved.token]), {"action": "edit"})
    assert response.status_code == 302
    other.post(
        reverse("matching:about"),
        {"age": "61", "sex": "female", "place": "Montreal, Canada", "distance": "100"},
    )
    other.post(reverse("matching:saved", args=[saved.token]), {"action": "update"})
    saved.refresh_from_db()
    assert saved.answers["age"] == 61


def test_the_alert_job_is_on_the_beat_schedule_and_runs_as_a_task(settings, catalogue):
    from screening import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["saved-searches-alert"]
    assert entry["task"] == tasks.saved_searches_alert.name
    assert tasks.saved_searches_alert.delay().get() == 0


def test_contact_details_are_offered_again_for_a_second_trial_to_check(client, catalogue):
    # Two trials whose only question (age) the search answered: apply at once.
    ssc_trial("NCT90000021")
    ssc_trial("NCT90000022")
    start(client)
    for nct_id in ("NCT90000021", "NCT90000022"):
        client.post(reverse("matching:open", args=[nct_id]))
    contact = {
        "full_name": "Agnes Tremblay",
        "email": "agnes@example.org",
        "phone": "",
        "contact_method": "email",
        "contact_time": "morning",
        "consent_contact": "on",
        "consent_share": "on",
    }
    first = client.get(reverse("screening:apply", args=["NCT90000021"]))
    assert first.status_code == 200
    assert "We filled in" not in first.content.decode()
    contact["consent_version"] = re.search(
        r'name="consent_version" value="([^"]+)"', first.content.decode()
    ).group(1)
    response = client.post(reverse("screening:apply", args=["NCT90000021"]), contact)
    assert response["Location"] == reverse("screening:confirmation", args=["NCT90000021"])
    again = client.get(reverse("screening:apply", args=["NCT90000022"]))
    html = again.content.decode()
    assert again.status_code == 200
    assert "We filled in the contact details of your last application" in html
    assert 'value="agnes@example.org"' in html and 'value="Agnes Tremblay"' in html


def _imported_copy(nct_id, **changes):
    """The reference record under another NCT number, imported as the importer would."""
    import json

    from tests.factories import CTGOV
    from trials.services import trial_import_documents

    record = json.loads((CTGOV / "NCT04356287.json").read_text(encoding="utf-8"))
    record["protocolSection"]["identificationModule"]["nctId"] = nct_id
    record["protocolSection"]["statusModule"].update(changes)
    return trial_import_documents(documents=[(f"{nct_id}.json", record)])


def test_an_import_of_a_fitting_trial_alerts_the_opted_in_patient_once(
    client, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    start(client)
    save_alerts(client)
    with django_capture_on_commit_callbacks(execute=True):
        report = _imported_copy("NCT94000001")
    assert report.created == 1
    assert len(mailoutbox) == 1
    assert "1 new clinical trial may fit you" in mailoutbox[0].subject
    # The same import again writes nothing, and a second fitting trial the same week
    # waits for the weekly alert: still one email.
    with django_capture_on_commit_callbacks(execute=True):
        assert _imported_copy("NCT94000001").unchanged == 1
        assert _imported_copy("NCT94000002").created == 1
    assert len(mailoutbox) == 1


def test_an_import_of_a_closed_trial_alerts_no_one(
    client, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    start(client)
    save_alerts(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert _imported_copy("NCT94000003", overallStatus="COMPLETED").created == 1
    assert mailoutbox == []


def test_an_import_with_no_saved_search_starts_no_alert_job(
    catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _imported_copy("NCT94000004")
    assert callbacks == []


def test_a_broker_that_is_down_does_not_fail_the_import(
    client, catalogue, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from celery import current_app

    start(client)
    save_alerts(client)

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    task = current_app.tasks["screening.tasks.saved_searches_alert"]
    monkeypatch.setattr(task, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        assert _imported_copy("NCT94000005").created == 1
    assert "Saved-search alerts not started" in caplog.text
    assert "patient@example.org" not in caplog.text


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("sclerodrema", "scleroderma"),
        ("systemic sclerosys", "systemic sclerosis"),
        ("Sclerosis systemic", "systemic sclerosis"),
        ("SYSTEMIK SKLEROSIS", "systemic sclerosis"),
    ],
)
def test_a_condition_no_trial_names_offers_the_terms_spelled_like_it(
    client, catalogue, typed, offered
):
    response = client.post(reverse("matching:start"), {"condition": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No open trial in our catalogue mentions" in page
    assert "Did you mean one of these?" in page
    offers = re.findall(r'name="condition" value="([^"]+)"><button', page)
    assert any(offered in term for term in offers), offers
    # Nothing was kept: the next step still asks for the condition.
    assert client.get(reverse("matching:about")).status_code == 302
    # Picking an offer goes on with that term.
    response = client.post(reverse("matching:start"), {"condition": offers[0]})
    assert response.status_code == 302 and response.url == reverse("matching:about")


def test_a_condition_like_no_term_can_still_be_kept_as_typed(client, catalogue):
    response = client.post(reverse("matching:start"), {"condition": "qwxz plorf"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Did you mean" not in page and "Check the spelling" in page
    response = client.post(reverse("matching:start"), {"condition": "qwxz plorf", "as_typed": "1"})
    assert response.status_code == 302 and response.url == reverse("matching:about")


def test_a_condition_a_trial_names_goes_straight_on(client, catalogue):
    for typed in ("scleroderma", "Systemic sclerosis", "asthma"):
        response = client.post(reverse("matching:start"), {"condition": typed})
        assert response.status_code == 302, typed
