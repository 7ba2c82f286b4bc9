"""Abuse tests: each finding of issue #12 reproduced as a hostile party or a stranger would."""
