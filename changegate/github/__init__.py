"""GitHub mode: event, REST API, workflow commands, sticky comment."""
