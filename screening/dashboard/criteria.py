"""The team's criteria editor: list, add, edit (with a preview on example answers), delete.

Every page loads the trial with ``trial_get_for_user`` (404 outside the user's teams);
the list is readable by the whole team, everything else is for coordinators (403 for a
read-only investigator). Writes go through `screening.services.criteria`, which audits.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import trial_get_for_user
from screening.eligibility import CriterionSpec, rule_keys
from screening.forms_criteria import CriterionForm, PreviewAnswersForm, questions_reference_html
from screening.models import Criterion, Verdict
from screening.questions import AnswersInvalid
from screening.reference import ENCODED
from screening.rule_text import rule_to_text
from screening.selectors import questions_for, trial_questions
from screening.services.criteria import (
    criteria_encoding_pending,
    criteria_load_encoded,
    criteria_preview,
    criterion_create,
    criterion_delete,
    criterion_update,
)
from trials.models import Trial


@dataclass(frozen=True)
class CriterionRow:
    kind: str
    kind_label: str
    number: str
    text: str
    rule_text: str
    verify_note: str
    pk: int | None


def _rule_text(rule: Any) -> str:
    if rule is None:
        return ""
    try:
        return rule_to_text(rule)
    except ValueError:
        return str(rule)


def _rows(trial: Trial) -> list[CriterionRow]:
    kinds = dict(Criterion.Kind.choices)
    stored = list(trial.criteria.all())
    if stored:
        return [
            CriterionRow(
                c.kind,
                str(kinds[c.kind]),
                c.number,
                c.text,
                _rule_text(c.rule),
                c.verify_note,
                c.pk,
            )
            for c in stored
        ]
    return [
        CriterionRow(kind, str(kinds[kind]), number, text, _rule_text(rule), verify, None)
        for kind, number, text, rule, verify in ENCODED.get(trial.nct_id, [])
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
    return render(
        request,
        "dashboard/criteria.html",
        {
            "trial": trial,
            "membership": membership,
            "rows": _rows(trial),
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
        },
        status=status,
    )


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
