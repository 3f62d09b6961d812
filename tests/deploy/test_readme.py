"""deploy/README.md stays executable: the install commands it gives are the ones the bare-Debian test runs, every
file it names exists, and every subcommand of our scripts it uses is one they have."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "deploy" / "README.md").read_text()


def code_blocks(text):
    return re.findall(r"```(?:sh|sql|ini)?\n(.*?)```", text, re.S)


def test_the_install_commands_are_the_ones_the_debootstrap_test_runs():
    install_lines = [line.split("#")[0].strip() for block in code_blocks(README) for line in block.splitlines()
                     if line.startswith("deploy/install ")]
    assert "deploy/install --local-database --staff frontdesk /root/portal.env" in install_lines
    assert "deploy/install --staff frontdesk /root/portal.env" in install_lines
    test = re.sub(r"\s+", " ", (ROOT / "tests" / "deploy" / "test_install.py").read_text())
    runs = re.findall(r'"/opt/openemr-portal/deploy/install", "--local-database", "--staff", "frontdesk", '
                      r'"/root/portal.env"', test)
    assert len(runs) == 2  # the install, and the same command again


def test_every_deploy_file_named_exists():
    named = set(re.findall(r"`(?:\.\./)?((?:deploy/)?(?:bin|backup|systemd|nginx|mysql|ssh)/[\w.{},-]+)`", README))
    named |= set(re.findall(r"(?<![\w/])(deploy/[\w./-]*\w(?:\.\{[\w,]+\})?)", README))
    assert len(named) > 15
    missing = []
    for name in named:
        name = name if name.startswith("deploy/") else f"deploy/{name}"
        if m := re.match(r"(.*)\{(.*)\}(.*)", name):  # openemr-portal-backup.{service,timer}
            paths = [m.group(1) + part + m.group(3) for part in m.group(2).split(",")]
        else:
            paths = [name]
        missing += [p for p in paths if not (ROOT / p).exists()]
    assert missing == []


def script_subcommands(path):
    return set(re.findall(r"^(\w[\w-]*)\)", (ROOT / path).read_text(), re.M))


def test_every_script_subcommand_used_exists():
    for script, path in (("portal-backup", "deploy/backup/portal-backup"),
                         ("portal-staff-ca", "deploy/bin/portal-staff-ca")):
        used = set(re.findall(rf"{script} ([a-z][a-z-]+)", README))
        assert used and used <= script_subcommands(path), (script, used - script_subcommands(path))


def test_the_changelog_names_the_release_the_readme_deploys():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(r"^## v\d+\.\d+\.\d+", changelog, re.M)
    assert "git tag --list 'v*'" in README
