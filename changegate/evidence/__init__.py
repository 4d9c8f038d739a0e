"""changegate.evidence."""
