"""changegate: a policy-as-code change gate for CI/CD pipelines."""

__version__ = "0.1.0"
