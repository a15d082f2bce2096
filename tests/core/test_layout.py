"""The import package is `milepost`; a folder called platform/ must never shadow the stdlib; tests import
their helpers from tests/helpers/, never from a conftest or another test module."""
import ast
import os
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


def _imported_modules(path: Path):
    """(line, module) for every import in a file: `import a.b`, `from a.b import c` (also relative, and
    `from a import conftest`), and __import__("a.b") or importlib.import_module("a.b") with a literal name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) \
                and ast.unparse(node.func) in ("__import__", "importlib.import_module", "import_module"):
            yield node.lineno, node.args[0].value


def _test_tree_files():
    return [p for p in sorted((ROOT / "tests").rglob("*.py")) if "node_modules" not in p.parts]


def test_no_test_module_imports_from_a_conftest():
    """Helpers live in tests/helpers/ and shared fixtures in its fixtures_*.py plugins (tests/conftest.py
    loads them): a conftest holds fixtures and hooks for pytest to load, never a module to import from."""
    offenders = {f"{path.relative_to(ROOT)}:{line}": module
                 for path in _test_tree_files()
                 for line, module in _imported_modules(path)
                 if "conftest" in module.split(".")}
    offenders = [f"{where}: {module}" for where, module in offenders.items()]
    assert not offenders, "import from tests/helpers/ instead of a conftest:\n" + "\n".join(offenders)


def test_no_module_imports_from_a_test_module():
    """Data and helpers that two test modules share live in tests/helpers/, not in one of the test modules."""
    offenders = {f"{path.relative_to(ROOT)}:{line}": module
                 for path in _test_tree_files()
                 for line, module in _imported_modules(path)
                 if module.startswith("tests.") and any(part.startswith("test_") for part in module.split("."))}
    offenders = [f"{where}: {module}" for where, module in offenders.items()]
    assert not offenders, "move what is shared into tests/helpers/:\n" + "\n".join(offenders)


def test_every_subpackage_of_platform_is_listed_in_setup_cfg():
    """A package missing from setup.cfg's `packages` is left out of a non-editable install."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {"milepost"} | {"milepost." + ".".join(init.parent.relative_to(ROOT / "platform").parts)
                            for init in (ROOT / "platform").rglob("__init__.py")}
    assert found == listed


def test_make_test_runs_the_style_and_import_rules_before_the_suite():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    steps = [line.strip() for line in recipe.splitlines()[1:] if line.startswith("\t")]
    ruff = next(i for i, s in enumerate(steps) if "ruff check" in s)
    layers = next(i for i, s in enumerate(steps) if "lint-imports" in s)
    suite = next(i for i, s in enumerate(steps) if "pytest" in s)
    assert ruff < suite and layers < suite


def test_an_upward_import_breaks_the_layer_contract(tmp_path):
    """The contract in setup.cfg bites: a copy of the source where evidence imports reviews is refused."""
    import shutil

    copy = tmp_path / "src"
    shutil.copytree(ROOT / "platform", copy / "milepost", ignore=shutil.ignore_patterns("__pycache__"))
    services = copy / "milepost" / "evidence" / "services.py"
    services.write_text(services.read_text() + "\nfrom milepost.reviews import access as _upward  # noqa\n")
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    # -S: without site's .pth files, so the editable install's finder does not point `milepost` back here.
    import site

    env = {"PYTHONPATH": os.pathsep.join([str(copy), *site.getsitepackages()]), "PATH": "/usr/bin:/bin"}
    command = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    broken = subprocess.run([sys.executable, "-S", "-c", command, "--no-cache"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert broken.returncode != 0, broken.stdout + broken.stderr
    assert "milepost.evidence is not allowed to import milepost.reviews" in broken.stdout
    lint = Path(sys.executable).with_name("lint-imports")
    kept = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert kept.returncode == 0, kept.stdout
