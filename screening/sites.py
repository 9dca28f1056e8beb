"""A trial's sites as patients choose among them and coordinators route by them."""

from trials.models import Location, Trial


def trial_recruiting_sites(*, trial: Trial) -> list[Location]:
    """The trial's recruiting sites (ClinicalTrials.gov LocationStatus RECRUITING), or
    all its sites when none is marked recruiting; by country, city and facility. One
    query. Empty for a trial without sites: then nobody is asked to choose."""
    locations = list(Location.objects.filter(trial=trial).defer("contacts"))
    recruiting = [loc for loc in locations if loc.status.upper() == "RECRUITING"]
    return recruiting or locations
