"""The CDK app of mobie-hub: `cdk synth` runs `python -m infra.app` (cdk.json)."""
