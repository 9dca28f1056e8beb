"""What other apps add to a trial's public page, without `trials` importing them.

`trials` knows nothing about applicants (DESIGN.md, "Boundaries"), yet its page says how
many patients applied. The app that knows registers, in its `AppConfig.ready()`, a
provider: a function of the `Trial` returning template context (screening's gives
`applied_count`, `screening/receivers.py`). `trial_detail` merges what each returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from trials.models import Trial

TrialPageProvider = Callable[[Trial], Mapping[str, object]]

_providers: list[TrialPageProvider] = []


def trial_page_context_register(provider: TrialPageProvider) -> TrialPageProvider:
    """Add `provider` to every trial page's context (once, however often registered).
    Returns it, so it can be used as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def trial_page_context(*, trial: Trial) -> dict[str, object]:
    """The context every registered provider gives for `trial`, in registration order
    (a later provider's key wins)."""
    context: dict[str, object] = {}
    for provider in _providers:
        context.update(provider(trial))
    return context
