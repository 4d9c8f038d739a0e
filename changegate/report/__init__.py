"""changegate.report."""
