"""Entry point of the CDK app (`cdk synth` / `cdk deploy` run `python -m infra.app`, see cdk.json).

``build_app`` is what the infra tests use too, so they check the same app, cdk-nag included.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import ConfigError, DeployConfig
from infra.stack import MobieHubStack


def build_app(
    context: Mapping[str, Any] | None = None, outdir: str | None = None
) -> tuple[App, MobieHubStack]:
    """The app with its one stack and the AwsSolutions checks (unacknowledged findings fail synth)."""
    app = App(context=dict(context) if context is not None else None, outdir=outdir)
    config = DeployConfig.from_context(app.node)
    stack = MobieHubStack(app, config.stack_name, config=config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> int:
    try:
        app, _ = build_app()
    except ConfigError as error:
        print(f"mobie-hub: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
