"""Set-up without sudo: say what to install, let the other stages run, fail where pgTAP is needed."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from chaindb.embedded import project_root

ROOT = project_root()


def test_setup_apt_without_sudo_says_what_to_install_and_lets_the_rest_run() -> None:
    # A Makefile copy where any user can read it (the checkout may sit under /root).
    folder = Path(tempfile.mkdtemp(prefix="chaindb-setup-"))
    try:
        shutil.copy(ROOT / "Makefile", folder / "Makefile")
        folder.chmod(0o755)
        (folder / "Makefile").chmod(0o644)
        command = ["make", "-s", "-C", str(folder), "setup-apt",
                   "PG_PROVE=/nonexistent/pg_prove", "SUDO_CMD=/nonexistent/sudo"]
        if os.geteuid() == 0:  # as root apt-get would simply run: be a user without sudo instead
            user = pwd.getpwnam("nobody")
            command = [shutil.which("setpriv") or "setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                       "--clear-groups", "--", *command]
        result = subprocess.run(command, env={"PATH": "/usr/bin:/bin", "HOME": str(folder)},
                                capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "apt-get install -y postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl" in result.stdout
    assert "only the pgTAP stage needs them" in result.stdout


def test_pgtap_without_pg_prove_fails_naming_the_packages(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no pg_prove on it
    result = subprocess.run([sys.executable, "-m", "chaindb.cli", "pgtap", "--throwaway"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 1
    assert "pg_prove is not installed" in result.stderr
    assert "libtap-parser-sourcehandler-pgtap-perl" in result.stderr and "Traceback" not in result.stderr
