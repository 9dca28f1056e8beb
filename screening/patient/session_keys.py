"""What the patient pages keep on a visitor's session, by key.

Shared with "Find trials for me" (screening.matching), which starts a trial's
questionnaire with the answers it carried over. Never answers themselves: a draft's
token, an application's primary key, the last contact details offered to check.
"""

SESSION_DRAFTS = "screening_drafts"
SESSION_SUBMITTED = "screening_submitted"
# The contact details of this visit's last application, offered (to check) on the next.
SESSION_CONTACT = "screening_contact"
