"""Business logic: takes models and plain values, talks to repositories through small ports.

Nothing here imports boto3, FastAPI or a handler (docs/architecture.md, "Layers of the code").
"""
