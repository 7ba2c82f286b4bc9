"""Entry point of the CDK app (`cdk synth` / `cdk deploy` run `python -m infra.app`, see cdk.json).

``build_app`` is what the infra tests use too, so they check the same app, cdk-nag included.
``python -m infra.app --check-deploy [CDK options]`` (the first step of `make deploy`, given the same
``CDK_ARGS``) only validates the deployment's values, naming every missing one, before the CDK CLI runs.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import ConfigError, DeployConfig, read_deploy_settings
from infra.constants import ROOT, Context
from infra.stack import MobieHubStack


def build_app(
    context: Mapping[str, Any] | None = None,
    outdir: str | None = None,
    settings: Mapping[str, str] | None = None,
) -> tuple[App, MobieHubStack]:
    """The app with its one stack and the AwsSolutions checks (unacknowledged findings fail synth).

    ``settings``: deployment values from outside the context (``read_deploy_settings``: environment,
    deploy.json); the CLI passes them, tests pass what they test."""
    app = App(context=dict(context) if context is not None else None, outdir=outdir)
    config = DeployConfig.from_context(app.node, settings)
    stack = MobieHubStack(app, config.stack_name, config=config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def check_deploy(settings: Mapping[str, str], context: Mapping[str, str] | None = None) -> DeployConfig:
    """The configuration `make deploy` would deploy, validated as ``cdk deploy -c deploy=true`` does:
    ``context`` is what the CLI would pass (cdk.json's, then the command line's ``-c key=value``)."""
    given = {**_cdk_json_context(), **(context or {}), Context.DEPLOY: "true"}
    return DeployConfig.from_context(App(context=given).node, settings)


def command_line_context(argv: Sequence[str]) -> dict[str, str]:
    """The ``-c key=value`` / ``--context key=value`` pairs of a CDK command line (`make deploy
    CDK_ARGS=…`, which the check receives too); every other option is the CLI's and ignored here."""
    context: dict[str, str] = {}
    items = iter(argv)
    for item in items:
        if item in ("-c", "--context"):
            pair = next(items, "")
        elif item.startswith("--context="):
            pair = item.removeprefix("--context=")
        else:
            continue
        key, separator, value = pair.partition("=")
        if not key or not separator:
            raise ConfigError(f"{item} {pair!r}: a context value is given as key=value")
        context[key] = value
    return context


def _cdk_json_context() -> dict[str, Any]:
    return json.loads((ROOT / "cdk.json").read_text(encoding="utf-8")).get("context", {})


def main(argv: Sequence[str] = ()) -> int:
    try:
        settings = read_deploy_settings(os.environ)
        if "--check-deploy" in argv:
            config = check_deploy(settings, command_line_context(argv))
            print(f"mobie-hub: deploying stack {config.stack_name} to {config.region}", file=sys.stderr)
            return 0
        app, _ = build_app(settings=settings)
    except ConfigError as error:
        print(f"mobie-hub: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
