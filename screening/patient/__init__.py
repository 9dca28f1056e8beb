"""The patient journey: the questionnaire flow, the result, applying and the status link."""
