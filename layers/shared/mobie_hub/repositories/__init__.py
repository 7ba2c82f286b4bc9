"""Repositories: the only code that touches boto3. Each raises domain errors from mobie_hub.errors."""
