"""The GitHub change source: the event, the gate from the base commit, facts from the REST API."""
