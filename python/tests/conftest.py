"""Shared fixtures: the repository's root, the `cordon` binary the bindings
are compared with, and the shipped pack loaded once."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import cordon

ROOT = Path(__file__).resolve().parents[2]


def cordon_bin() -> str:
    """The CLI to compare with: $CORDON_BIN, else a build in target/."""
    if os.environ.get("CORDON_BIN"):
        return os.environ["CORDON_BIN"]
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "cordon"
        if p.exists():
            return str(p)
    pytest.skip("no cordon binary: build it (cargo build) or set CORDON_BIN")


def cli_results(rules: Path, data: Path, *extra: str) -> tuple[int, list[dict]]:
    """`cordon check --format jsonl` on one file: its exit code, and one
    dict per record."""
    out = subprocess.run(
        [cordon_bin(), "check", "--rules", str(rules), "--format", "jsonl", "--no-state", *extra, str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode in (0, 1, 2), out.stderr
    return out.returncode, [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def engine() -> cordon.Engine:
    return cordon.Engine.load(str(ROOT / "rules"))
