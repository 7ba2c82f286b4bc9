"""Operator (admin) operations: one registry, served locally on loopback and in AWS by an
IAM-invoked function. Never mounted on the EMSP-facing API."""
