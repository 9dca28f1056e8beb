"""The team's criteria editor: list, add, edit (with a preview on example answers), delete.

Every page loads the trial with ``trial_get_for_user`` (404 outside the user's teams);
the list is readable by the whole team, everything else is for coordinators (403 for a
read-only investigator). Writes go through `screening.services.criteria`, which audits.
"""

from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import trial_get_for_user
from screening.eligibility import CriterionSpec, rule_keys
from screening.forms_criteria import CriterionForm, PreviewAnswersForm, questions_reference_html
from screening.models import Criterion, Verdict
from screening.questions import AnswersInvalid
from screening.reference import ENCODED
from screening.rule_text import rule_to_text
from screening.rule_words import criterion_rule_in_words
from screening.selectors import questions_for, trial_questions
from screening.services.criteria import (
    criteria_encoding_pending,
    criteria_load_encoded,
    criteria_preview,
    criterion_create,
    criterion_delete,
    criterion_update,
)
from screening.services.drafts import ReviewInvalid, criterion_confirm, criterion_reject
from trials.models import Trial


@dataclass(frozen=True)
class CriterionRow:
    """One criterion as the editor shows it.

    `segments` is the published text in pieces, each (text, read by the drafter?), so the
    span the draft was read from can be highlighted. `draft_words` is the drafted rule in
    words (for a rejected draft, the rule that was rejected).
    """

    kind: str
    kind_label: str
    number: str
    text: str
    rule_text: str
    verify_note: str
    pk: int | None
    segments: tuple[tuple[str, bool], ...] = ()
    origin: str = Criterion.Origin.TEAM
    review_state: str = Criterion.ReviewState.CONFIRMED
    review_label: str = ""
    draft_words: str = ""
    text_changed: bool = False
    waiting: bool = False
    can_confirm: bool = False
    can_reject: bool = False
    # The outcome of a decision just taken on this row (a django.contrib.messages message
    # tagged IN_PLACE), shown in the row the page scrolls to rather than at the top.
    note: Any = None


def _rule_text(rule: Any) -> str:
    if rule is None:
        return ""
    try:
        return rule_to_text(rule)
    except ValueError:
        return str(rule)


def _draft_words(kind: str, rule: Any) -> str:
    if rule is None:
        return ""
    try:
        return criterion_rule_in_words(kind=kind, rule=rule)
    except ValueError:
        return _rule_text(rule)


def text_segments(text: str, spans: Any) -> tuple[tuple[str, bool], ...]:
    """`text` cut at the drafter's spans: (piece, read) pairs, in order, covering it all.

    Spans out of range are clipped, overlapping ones merged; malformed ones ignored.
    """
    clean = sorted(
        (max(0, int(span[0])), min(len(text), int(span[1])))
        for span in spans or ()
        if isinstance(span, list | tuple) and len(span) == 2
    )
    merged: list[list[int]] = []
    for start, end in clean:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: list[tuple[str, bool]] = []
    at = 0
    for start, end in merged:
        if start > at:
            segments.append((text[at:start], False))
        segments.append((text[start:end], True))
        at = end
    if at < len(text):
        segments.append((text[at:], False))
    return tuple(segments)


def _row(c: Criterion, kinds: dict[str, Any], states: dict[str, Any]) -> CriterionRow:
    drafted = c.origin == Criterion.Origin.DRAFTER and c.draft_rule is not None
    return CriterionRow(
        c.kind,
        str(kinds[c.kind]),
        c.number,
        c.text,
        _rule_text(c.rule),
        c.verify_note,
        c.pk,
        segments=text_segments(c.text, c.draft_spans),
        origin=c.origin,
        review_state=c.review_state,
        review_label=str(states[c.review_state]),
        draft_words=_draft_words(c.kind, c.draft_rule if drafted else c.rule),
        text_changed=c.text_changed,
        waiting=c.awaiting_review,
        can_confirm=drafted and c.review_state != Criterion.ReviewState.CONFIRMED,
        can_reject=drafted and c.review_state != Criterion.ReviewState.REJECTED,
    )


def _rows(trial: Trial) -> list[CriterionRow]:
    kinds = dict(Criterion.Kind.choices)
    states = dict(Criterion.ReviewState.choices)
    stored = list(trial.criteria.all())
    if stored:
        return [_row(c, kinds, states) for c in stored]
    return [
        CriterionRow(
            kind,
            str(kinds[kind]),
            number,
            text,
            _rule_text(rule),
            verify,
            None,
            segments=((text, False),),
            draft_words=_draft_words(kind, rule),
        )
        for kind, number, text, rule, verify in ENCODED.get(trial.nct_id, [])
    ]


# The extra tag of a message that its page shows in place (base.html leaves it out of the
# list at the top): here, the outcome of a review shown in the criterion's own row.
IN_PLACE = "in-place"


def _row_tag(pk: int) -> str:
    return f"{IN_PLACE} criterion-{pk}"


def _rows_with_notes(request: HttpRequest, rows: list[CriterionRow]) -> list[CriterionRow]:
    notes = {
        message.extra_tags: message
        for message in messages.get_messages(request)
        if IN_PLACE in message.extra_tags.split()
    }
    if not notes:
        return rows
    return [
        replace(row, note=notes.get(_row_tag(row.pk))) if row.pk is not None else row
        for row in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def criteria_list(request: HttpRequest, nct_id: str) -> HttpResponse:
    """The trial's criteria in published order; POST stores a code encoding to edit it."""
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=request.method == "POST", request=request
    )
    pending = criteria_encoding_pending(trial=trial)
    if request.method == "POST":
        if pending:
            criteria_load_encoded(trial=trial, by=request.user, request=request)
            messages.success(request, _("The criteria are stored and can now be edited."))
        return redirect("dashboard:criteria", nct_id=trial.nct_id)
    rows = _rows_with_notes(request, _rows(trial))
    return render(
        request,
        "dashboard/criteria.html",
        {
            "trial": trial,
            "membership": membership,
            "rows": rows,
            "waiting": sum(row.waiting for row in rows),
            "pending": pending,
            "questions": questions_reference_html(trial_questions=trial_questions(trial=trial)),
        },
    )


def _criterion_get(trial: Trial, pk: int) -> Criterion:
    criterion = trial.criteria.filter(pk=pk).first()
    if criterion is None:
        raise Http404
    return criterion


@login_required
@require_http_methods(["GET", "POST"])
def criterion_new(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=True, request=request
    )
    if criteria_encoding_pending(trial=trial):
        messages.info(request, _("Store the trial's criteria first, then add to them."))
        return redirect("dashboard:criteria", nct_id=trial.nct_id)
    return _edit(request, trial=trial, criterion=None)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, nct_id: str, pk: int) -> HttpResponse:
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=True, request=request
    )
    return _edit(request, trial=trial, criterion=_criterion_get(trial, pk))


def _edit(request: HttpRequest, *, trial: Trial, criterion: Criterion | None) -> HttpResponse:
    instance = criterion if criterion is not None else Criterion(trial=trial)
    data = request.POST if request.method == "POST" else None
    form = CriterionForm(data, instance=instance, trial=trial)
    status, preview = 200, None
    rule = criterion.rule if criterion is not None else None
    if data is not None:
        if not form.is_valid():
            status = 400
        elif "preview" in data:
            rule = form.cleaned_data["rule"]
        else:
            saved = _save(request, form=form, trial=trial, criterion=criterion)
            if saved is not None:
                messages.success(
                    request, _("Criterion %(criterion)s saved.") % {"criterion": saved}
                )
                return redirect("dashboard:criteria", nct_id=trial.nct_id)
            status = 400
    rule_questions = questions_for(rule_keys(rule))
    other = [q for q in trial_questions(trial=trial) if q not in rule_questions]
    answers_form = PreviewAnswersForm(
        data if data is not None and "preview" in data else None,
        questions=rule_questions + other,
    )
    if data is not None and "preview" in data and status == 200:
        preview, status = _preview(form=form, answers_form=answers_form, trial=trial)
    return render(
        request,
        "dashboard/criteria_edit.html",
        {
            "trial": trial,
            "criterion": criterion,
            "form": form,
            "answers_form": answers_form,
            "rule_fields": [answers_form[q.key] for q in rule_questions],
            "other_fields": [answers_form[q.key] for q in other],
            "preview": preview,
            "questions": questions_reference_html(trial_questions=trial_questions(trial=trial)),
            "draft": _draft_context(criterion),
        },
        status=status,
    )


def _draft_context(criterion: Criterion | None) -> dict[str, Any] | None:
    """What the drafter read and proposed, shown above the form while editing a draft."""
    if criterion is None or criterion.origin != Criterion.Origin.DRAFTER:
        return None
    return {
        "segments": text_segments(criterion.text, criterion.draft_spans),
        "words": _draft_words(criterion.kind, criterion.draft_rule),
        "state": criterion.get_review_state_display(),
        "text_changed": criterion.text_changed,
    }


def _preview(
    *, form: CriterionForm, answers_form: PreviewAnswersForm, trial: Trial
) -> tuple[dict[str, Any] | None, int]:
    if not answers_form.is_valid():
        return None, 400
    data = form.cleaned_data
    spec = CriterionSpec(
        kind=data["kind"],
        number=data["number"],
        text=data["text"],
        rule=data["rule"],
        verify=data["verify_note"],
    )
    try:
        entry, snapshot = criteria_preview(
            trial=trial,
            spec=spec,
            position=data["position"],
            replacing=form.instance if form.instance.pk else None,
            answers=answers_form.answers(),
        )
    except AnswersInvalid as error:
        for key, reasons in error.message_dict.items():
            answers_form.add_error(key if key in answers_form.fields else None, reasons)
        return None, 400
    verdict_label = Verdict(snapshot["verdict"]).label
    return {"criterion": entry, "snapshot": snapshot, "verdict_label": verdict_label}, 200


def _save(
    request: HttpRequest, *, form: CriterionForm, trial: Trial, criterion: Criterion | None
) -> Criterion | None:
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        with transaction.atomic():
            if criterion is None:
                return criterion_create(trial=trial, by=request.user, request=request, **fields)
            # The form has already copied its data onto `criterion`; the service compares
            # with the stored row to audit what changed.
            stored = Criterion.objects.select_for_update().get(pk=criterion.pk)
            return criterion_update(criterion=stored, by=request.user, request=request, **fields)
    except ValidationError as error:
        # The form checked first; this is the model's last word (e.g. a race on the number).
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def criterion_delete_view(request: HttpRequest, nct_id: str, pk: int) -> HttpResponse:
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=True, request=request
    )
    criterion = _criterion_get(trial, pk)
    if request.method == "POST":
        label = str(criterion)
        criterion_delete(criterion=criterion, by=request.user, request=request)
        messages.success(request, _("Criterion %(criterion)s deleted.") % {"criterion": label})
        return redirect("dashboard:criteria", nct_id=trial.nct_id)
    return render(
        request,
        "dashboard/criteria_delete.html",
        {"trial": trial, "criterion": criterion, "rule_text": _rule_text(criterion.rule)},
    )


_DECISIONS = {"confirm": criterion_confirm, "reject": criterion_reject}


@login_required
@require_http_methods(["POST"])
def criterion_review(request: HttpRequest, nct_id: str, pk: int) -> HttpResponse:
    """Confirm or reject a drafted rule in one step (coordinators; audited), then back
    to the list at that criterion. A decision that no longer applies (another coordinator
    decided first, a double click) changes nothing and says why on the list."""
    trial, membership = trial_get_for_user(
        user=request.user, nct_id=nct_id, for_write=True, request=request
    )
    criterion = _criterion_get(trial, pk)
    decide = _DECISIONS.get(request.POST.get("decision", ""))
    if decide is None:
        return HttpResponseBadRequest(_("Choose to confirm or to reject the drafted rule."))
    try:
        decided = decide(criterion=criterion, by=request.user, request=request)
    except ReviewInvalid as error:
        messages.error(request, error.message, extra_tags=_row_tag(pk))
        return redirect(f"{reverse('dashboard:criteria', args=[trial.nct_id])}#criterion-{pk}")
    if decided.review_state == Criterion.ReviewState.CONFIRMED:
        text = _("Drafted rule of %(criterion)s confirmed: it now screens patients as checked.")
    else:
        text = _(
            "Drafted rule of %(criterion)s rejected: "
            "your team checks this criterion with each applicant."
        )
    messages.success(request, text % {"criterion": decided}, extra_tags=_row_tag(pk))
    return redirect(f"{reverse('dashboard:criteria', args=[trial.nct_id])}#criterion-{pk}")
