"""The hash-locked requirements (requirements.lock, requirements-test.lock) agree with pyproject.toml, and every
install path uses them with --require-hashes. `make lock` (scripts/lock) rewrites them."""

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DIRECT = "openemr-portal (pyproject.toml)"


def parse_lock(text):
    """{name: (version, [hashes], {direct parents})} from a `uv pip compile --generate-hashes` file."""
    packages, current = {}, None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if m := re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)", line):
            current = canonicalize_name(m.group(1))
            packages[current] = (m.group(2), [], set())
        elif current and (m := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            packages[current][1].append(m.group(1))
        elif current and (m := re.match(r"^\s+#\s+(?:via\s+)?(.+)$", line)) and m.group(1).strip() != "via":
            packages[current][2].add(m.group(1).strip())
    return packages


def pyproject_requirements(extra=None):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    if extra:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return {canonicalize_name(r.name): r for r in reqs}


def disagreements(lock_text, requirements):
    """What a lock file and pyproject.toml disagree about, in words (empty when they agree)."""
    locked = parse_lock(lock_text)
    problems = []
    for name, req in requirements.items():
        if name not in locked:
            problems.append(f"{name} is in pyproject.toml but not in the lock")
        elif not req.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{name}: pyproject.toml wants {req.specifier}, the lock has {locked[name][0]}")
    for name, (version, hashes, parents) in locked.items():
        if DIRECT in parents and name not in requirements:
            problems.append(f"{name}=={version} is locked as a direct dependency that pyproject.toml no longer has")
        if not hashes:
            problems.append(f"{name}=={version} has no hash")
    return problems


@pytest.mark.parametrize("lock, extra", [("requirements.lock", None), ("requirements-test.lock", "test")])
def test_lock_files_agree_with_pyproject(lock, extra):
    assert disagreements((ROOT / lock).read_text(), pyproject_requirements(extra)) == []


def test_runtime_lock_holds_no_test_tool_and_the_test_lock_repeats_its_pins_exactly():
    runtime = parse_lock((ROOT / "requirements.lock").read_text())
    full = parse_lock((ROOT / "requirements-test.lock").read_text())
    assert not set(runtime) & set(pyproject_requirements("test")) - set(pyproject_requirements())
    for name, (version, hashes, _) in runtime.items():
        assert full[name][0] == version and sorted(full[name][1]) == sorted(hashes), name


def test_the_check_notices_a_drifted_pyproject():
    """The check above can fail: a new dependency, a changed pin and a removed one are each reported."""
    lock = (ROOT / "requirements.lock").read_text()
    requirements = pyproject_requirements()
    added = {**requirements, "reportlab": Requirement("reportlab==4.4.0")}
    assert disagreements(lock, added) == ["reportlab is in pyproject.toml but not in the lock"]
    bumped = {**requirements, "django": Requirement("Django==5.2.999")}
    assert "django: pyproject.toml wants ==5.2.999" in disagreements(lock, bumped)[0]
    removed = {k: v for k, v in requirements.items() if k != "segno"}
    assert disagreements(lock, removed) == ["segno==1.6.6 is locked as a direct dependency that pyproject.toml "
                                            "no longer has"]
    unhashed = re.sub(r"(segno==1\.6\.6)( \\\n(\s+--hash=\S+ ?\\?\n)+)", r"\1\n", lock)
    assert disagreements(unhashed, requirements) == ["segno==1.6.6 has no hash"]


def test_every_install_path_requires_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-test.lock" in makefile
    assert "-e ." not in makefile and "pip install ." not in makefile
    install = (ROOT / "deploy" / "install").read_text()
    assert re.search(r'--require-hashes \\\n\s+-r "\$APP_DIR/requirements\.lock"', install)
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert "pip install ." not in readme


@pytest.mark.slow
def test_make_lock_reproduces_the_committed_files(tmp_path):
    """scripts/lock run on a copy gives the committed files back (needs PyPI): the lock is what `make lock`
    makes of pyproject.toml, not a hand edit."""
    for name in ("requirements.lock", "requirements-test.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    result = subprocess.run([str(ROOT / "scripts" / "lock")], env={**os.environ, "PORTAL_LOCK_DIR": str(tmp_path)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ("requirements.lock", "requirements-test.lock"):
        assert (tmp_path / name).read_text() == (ROOT / name).read_text(), name
