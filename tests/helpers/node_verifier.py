"""Runs tests/credentials/node/verify.cjs (@digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite) on a
credential and the issuer's did.json; skips with the reason when node or the npm packages are absent
(fails instead under MILEPOST_REQUIRE_STANDARDS=1)."""
from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404 - a fixed node script of ours, no shell
from pathlib import Path

from tests.helpers.credentials import missing_standard

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "credentials" / "node" / "verify.cjs"


def node_verify(credential: dict, did: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        missing_standard("Data Integrity tests need Node.js (apt-get install nodejs npm)")
    if not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        missing_standard("Data Integrity tests need the npm dev packages: run `make install` (npm ci)")
    result = subprocess.run([node, str(SCRIPT)], input=json.dumps({"credential": credential, "did": did}),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


ISSUE_SCRIPT = ROOT / "tests" / "credentials" / "node" / "issue.cjs"


def node_issue(credential: dict, host: str) -> tuple[dict, dict]:
    """An outside issuer (did:web:<host>) signs the credential with @digitalbazaar/vc: (signed, did.json)."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        missing_standard("the outside test issuer needs Node.js and the npm dev packages (make install)")
    result = subprocess.run([node, str(ISSUE_SCRIPT)], input=json.dumps({"credential": credential, "host": host}),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    return out["credential"], out["did"]
