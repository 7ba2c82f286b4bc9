"""The two Lambda layers every function gets: third-party dependencies, and the shared ``mobie_hub``.

Both are built without Docker (``infra.bundling``) and compiled for the runtime's Python (the build
fails without a Python of that version). The shared layer leaves out the local-only code
(``infra.layer_build.LOCAL_ONLY``). Their asset hashes are computed before bundling (lock / package
source + build options), so CDK reuses a bundle already in cdk.out and only runs pip again when
``requirements-lambda.txt`` changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aws_cdk import AssetHashType, BundlingOptions, FileSystem, IgnoreMode
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.bundling import CopyPackage, CopyPrebuilt, PipInstall
from infra.constants import (
    ARCHITECTURE,
    LAMBDA_REQUIREMENTS,
    PIP_PLATFORM,
    PYTHON_VERSION,
    RUNTIME,
    SHARED_LAYER_SOURCE,
    SHARED_PACKAGE,
)
from infra.layer_build import LOCAL_ONLY

_NOT_SOURCE = ["__pycache__/", "*.pyc"]
# Part of every asset hash: a change in how layers are built (Python, platform, bytecode, contents).
_BUILD = f"python{PYTHON_VERSION}|{PIP_PLATFORM}|pyc=unchecked-hash|no-deps|without={','.join(LOCAL_ONLY)}"


class Layers(Construct):
    """``dependencies`` (requirements-lambda.txt, pip for arm64) and ``shared`` (layers/shared/mobie_hub).

    ``prebuilt_dependencies``: a directory holding ``python/`` already installed for the Lambda
    platform, copied and compiled instead of running pip (offline machines, CI caches).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, prebuilt_dependencies: Path | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=_dependencies_code(prebuilt_dependencies),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="mobie-hub runtime dependencies (requirements-lambda.txt)",
        )
        self.shared = lambda_.LayerVersion(
            self,
            "Shared",
            code=lambda_.Code.from_asset(
                str(SHARED_LAYER_SOURCE),
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=FileSystem.fingerprint(
                    str(SHARED_LAYER_SOURCE),
                    exclude=[*_NOT_SOURCE, *(f"{SHARED_PACKAGE}/{path}" for path in LOCAL_ONLY)],
                    ignore_mode=IgnoreMode.GIT,
                    extra_hash=_BUILD,
                ),
                bundling=BundlingOptions(
                    image=RUNTIME.bundling_image, local=CopyPackage(SHARED_LAYER_SOURCE, SHARED_PACKAGE)
                ),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="mobie_hub: models, logic, repositories (layers/shared)",
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        return [self.dependencies, self.shared]


def _dependencies_code(prebuilt: Path | None) -> lambda_.Code:
    if prebuilt is not None:
        return lambda_.Code.from_asset(
            str(prebuilt),
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=FileSystem.fingerprint(
                str(prebuilt), exclude=_NOT_SOURCE, ignore_mode=IgnoreMode.GIT, extra_hash=_BUILD
            ),
            bundling=BundlingOptions(image=RUNTIME.bundling_image, local=CopyPrebuilt(prebuilt)),
        )
    fingerprint = hashlib.sha256(LAMBDA_REQUIREMENTS.read_bytes() + _BUILD.encode()).hexdigest()
    return lambda_.Code.from_asset(
        # The source folder is only a nominal input: PipInstall reads the requirements file itself,
        # and the custom hash keeps CDK from fingerprinting the folder.
        str(LAMBDA_REQUIREMENTS.parent),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=fingerprint,
        bundling=BundlingOptions(image=RUNTIME.bundling_image, local=PipInstall(LAMBDA_REQUIREMENTS)),
    )
