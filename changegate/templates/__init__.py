"""changegate.templates."""
