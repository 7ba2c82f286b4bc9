"""The operator's command ``mobie-hub`` (not shipped in the Lambda layer)."""
