"""The import package is `milepost`; a folder called platform/ must never shadow the stdlib."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_standard_library_platform_still_works_from_the_repository_root():
    result = run("-c", "import platform; print(platform.system())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in {"Linux", "Darwin", "Windows"}
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_pytest_collects_from_the_repository_root():
    result = run("-m", "pytest", "--collect-only", "-q", "tests/core/test_layout.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_standard_library_platform_still_works_from_the_repository_root" in result.stdout


def test_milepost_imports_from_the_platform_folder():
    result = run("-c", "import milepost.app, milepost.accounts.models as m; print(m.__file__)")
    assert result.returncode == 0, result.stderr
    assert "/platform/accounts/models.py" in result.stdout
