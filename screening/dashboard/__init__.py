"""The coordinator dashboard: home, applicant queue, applicant page, trial settings."""
