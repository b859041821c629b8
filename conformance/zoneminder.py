"""``cctv-conformance zm up|down``: bring ZoneMinder 1.36 up as a VMS under test, and tear it down.

Why here and not in a shell script: every step needs its own timeout, a distinct exit status and
a one-line reason, and the suite's tests start and stop it from Python. The steps follow
``shared/research/zoneminder-as-vms.md`` section 2 (no systemd: sysv init scripts and apachectl).

What it does, idempotently:
1. checks it can run here (Debian, root, apt-get) — else exit :data:`EXIT_CANNOT_RUN`;
2. installs the Debian packages where missing (``policy-rc.d`` first, so nothing starts on
   0.0.0.0 during install) — failure exits :data:`EXIT_INSTALL_FAILED`;
3. starts MariaDB (loopback only), creates the ``zm`` database once, turns authentication on,
   enables the API for the test user ``admin`` with a fresh random password and a fresh token
   secret, sets the server time zone to UTC (so search times are UTC);
4. binds Apache to ``127.0.0.1:PORT`` only (a free port unless given), adds the CakePHP API
   rewrite rules, starts Apache and ZoneMinder's daemons;
5. waits (bounded) until the API accepts the login, then writes the ready file
   ``STATE/ready.json`` (mode 0600: it holds the test password) and a target file
   ``STATE/zoneminder.yaml`` naming it — failure exits
   :data:`EXIT_START_FAILED`.

``down`` stops ZoneMinder, Apache and (if ``up`` started it) MariaDB, drops the ``zm`` database,
wipes ZoneMinder's events, exports and logs, and checks no listener is left on the port.

State lives in ``/var/lib/cctv-zm`` (``CCTV_ZM_STATE`` overrides): ready file, bring-up log.
ZoneMinder's own data stays where Debian's package puts it (``/var/cache/zoneminder``, the
``zm`` database, ``/var/log/zm``), and ``down`` removes it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from conformance.zoneminder_target import write_target

EXIT_OK = 0
EXIT_CANNOT_RUN = 4
EXIT_INSTALL_FAILED = 5
EXIT_START_FAILED = 6

PACKAGES = ("zoneminder", "apache2", "libapache2-mod-php", "mariadb-server", "ffmpeg")
DEFAULT_STATE = Path(os.environ.get("CCTV_ZM_STATE", "/var/lib/cctv-zm"))
POLICY_RC = Path("/usr/sbin/policy-rc.d")
API_CONF = Path("/etc/apache2/conf-available/zoneminder-api.conf")
SERVERNAME_CONF = Path("/etc/apache2/conf-available/servername.conf")
LOCAL_ZM_CONF = Path("/etc/zm/conf.d/03-local.conf")
PORTS_CONF = Path("/etc/apache2/ports.conf")
SITE_CONF = Path("/etc/apache2/sites-available/000-default.conf")
STOCK_PORTS = (
    "Listen 80\n\n<IfModule ssl_module>\n\tListen 443\n</IfModule>\n\n"
    "<IfModule mod_gnutls.c>\n\tListen 443\n</IfModule>\n"
)
API_REWRITE = """<Directory "/usr/share/zoneminder/www/api">
   RewriteEngine on
   RewriteRule ^$ app/webroot/ [L]
   RewriteRule (.*) app/webroot/$1 [L]
   RewriteBase /zm/api
</Directory>
<Directory "/usr/share/zoneminder/www/api/app">
   RewriteEngine on
   RewriteRule ^$ webroot/ [L]
   RewriteRule (.*) webroot/$1 [L]
   RewriteBase /zm/api
</Directory>
<Directory "/usr/share/zoneminder/www/api/app/webroot">
    RewriteEngine On
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteRule ^ index.php [L]
    RewriteBase /zm/api
</Directory>
"""


class BringUpError(Exception):
    """A step failed; ``status`` is the CLI exit status, the message one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Log:
    """Step log to STATE/bringup.log, with elapsed time, so a slow step is visible."""

    def __init__(self, state: Path, quiet: bool) -> None:
        state.mkdir(parents=True, exist_ok=True)
        self.path = state / "bringup.log"
        self.start = time.monotonic()
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        line = f"[+{time.monotonic() - self.start:6.1f}s] {message}"
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        if not self.quiet:
            print(f"zm: {line}", file=sys.stderr, flush=True)


def _sh(
    cmd: list[str] | str, timeout: float, status: int, what: str, input_text: str | None = None
) -> str:
    """Run one step with a timeout; a failure or timeout becomes a :class:`BringUpError`."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            cmd,
            shell=isinstance(cmd, str),
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=None if input_text is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise BringUpError(status, f"{what}: timed out after {timeout:.0f} s") from None
    except OSError as exc:
        raise BringUpError(status, f"{what}: {exc.strerror}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise BringUpError(status, f"{what}: exit {done.returncode}: {tail[0][:200]}")
    return done.stdout


def why_cannot_run() -> str | None:
    """The reason ZoneMinder cannot be brought up on this machine, or None if it can."""
    if sys.platform != "linux" or not Path("/etc/debian_version").exists():
        return "not a Debian system (ZoneMinder is installed from Debian's packages)"
    if os.geteuid() != 0:
        return "not root (installing packages and starting MariaDB/Apache needs root)"
    if shutil.which("apt-get") is None and not installed():
        return "no apt-get and ZoneMinder is not installed"
    return None


def installed() -> bool:
    """True when every package ZoneMinder needs is installed (dpkg says 'install ok installed')."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}\n", *PACKAGES],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    lines = done.stdout.strip().splitlines()
    return len(lines) == len(PACKAGES) and all(ln.endswith("install ok installed") for ln in lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _install(log: _Log) -> None:
    if installed():
        log("packages already installed")
        return
    if not POLICY_RC.exists():
        # Without it, postinst starts apache on *:80 and mariadb during the install.
        POLICY_RC.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
        POLICY_RC.chmod(0o755)
    log("apt-get update")
    _sh(["apt-get", "update", "-q"], 300, EXIT_INSTALL_FAILED, "apt-get update")
    log(f"apt-get install --no-install-recommends {' '.join(PACKAGES)}")
    _sh(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
        900,
        EXIT_INSTALL_FAILED,
        "apt-get install",
    )


def _mysql(sql: str, what: str, database: str = "") -> str:
    cmd = ["mysql", "-N", "-B"] + ([database] if database else [])
    return _sh(cmd, 30, EXIT_START_FAILED, what, input_text=sql)


def _mariadb_running() -> bool:
    try:
        return (
            subprocess.run(
                ["mysqladmin", "ping"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def _start_database(log: _Log, state: Path) -> bool:
    """Start MariaDB if needed; return True when this call started it."""
    if _mariadb_running():
        log("mariadb already running")
        return False
    log("starting mariadb (bind-address 127.0.0.1, Debian's default)")
    _sh(["/etc/init.d/mariadb", "start"], 60, EXIT_START_FAILED, "start mariadb")
    return True


def _hash_password(password: str) -> str:
    """ZoneMinder 1.36 stores bcrypt ($2y$) hashes; PHP (installed with it) makes one."""
    code = "echo password_hash(trim(fgets(STDIN)), PASSWORD_BCRYPT);"
    return _sh(["php", "-r", code], 30, EXIT_START_FAILED, "hash password", password + "\n")


def _setup_database(log: _Log, password: str, secret: str) -> None:
    has_schema = _mysql(
        "SELECT COUNT(*) FROM information_schema.tables "
        "WHERE table_schema='zm' AND table_name='Config';",
        "probe zm schema",
    ).strip()
    if has_schema != "1":
        log("creating the zm database")
        sql = Path("/usr/share/zoneminder/db/zm_create.sql").read_text(encoding="utf-8")
        _mysql(sql, "load zm_create.sql")
    _mysql(
        "CREATE USER IF NOT EXISTS 'zmuser'@'localhost' IDENTIFIED BY 'zmpass';\n"
        "GRANT LOCK TABLES,ALTER,ALTER ROUTINE,CREATE,DROP,SELECT,INSERT,UPDATE,DELETE,INDEX,"
        "TRIGGER ON zm.* TO 'zmuser'@'localhost';\nFLUSH PRIVILEGES;\n",
        "grant zmuser",
    )
    hashed = _hash_password(password)
    settings = {
        "ZM_SHOW_PRIVACY": "0",  # else every web view redirects to view=privacy
        "ZM_OPT_USE_AUTH": "1",
        "ZM_AUTH_HASH_SECRET": secret,
        "ZM_AUTH_HASH_LOGINS": "0",
        "ZM_TIMEZONE": "UTC",
        "ZM_TELEMETRY_DATA": "0",
        "ZM_CHECK_FOR_UPDATES": "0",
    }
    sql = "".join(
        f"UPDATE Config SET Value='{value}' WHERE Name='{name}';\n"
        for name, value in settings.items()
    )
    sql += f"UPDATE Users SET APIEnabled=1, Password='{hashed}' WHERE Username='admin';\n"
    _mysql(sql, "configure zm", database="zm")
    log("database ready: auth on, API enabled for admin, fresh password and token secret")


def _configure_apache(port: int) -> None:
    PORTS_CONF.write_text(f"Listen 127.0.0.1:{port}\n", encoding="utf-8")
    site = SITE_CONF.read_text(encoding="utf-8")
    import re

    SITE_CONF.write_text(
        re.sub(r"<VirtualHost [^>]*>", f"<VirtualHost 127.0.0.1:{port}>", site), encoding="utf-8"
    )
    SERVERNAME_CONF.write_text("ServerName 127.0.0.1\n", encoding="utf-8")
    API_CONF.write_text(API_REWRITE, encoding="utf-8")
    LOCAL_ZM_CONF.write_text("ZM_PATH_FFMPEG=/usr/bin/ffmpeg\n", encoding="utf-8")
    _sh(
        "a2enconf -q zoneminder zoneminder-api servername && a2enmod -q cgi rewrite headers expires"
        " && chgrp www-data /etc/zm/zm.conf /etc/zm/conf.d/*.conf",
        60,
        EXIT_START_FAILED,
        "configure apache",
    )


def _login(base: str, password: str, timeout: float = 5.0) -> dict:
    body = urllib.parse.urlencode({"user": "admin", "pass": password}).encode()
    with urllib.request.urlopen(f"{base}/api/host/login.json", data=body, timeout=timeout) as rsp:
        return json.loads(rsp.read())


def _wait_api(base: str, password: str, deadline_s: float) -> dict:
    end = time.monotonic() + deadline_s
    last = "no answer"
    while time.monotonic() < end:
        try:
            answer = _login(base, password)
            if answer.get("access_token"):
                return answer
            last = str(answer)[:200]
        except (OSError, ValueError, urllib.error.URLError) as exc:
            last = str(exc)[:200]
        time.sleep(0.5)
    raise BringUpError(EXIT_START_FAILED, f"ZoneMinder API did not accept the login: {last}")


def read_ready(state: Path = DEFAULT_STATE) -> dict | None:
    try:
        return json.loads((state / "ready.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def up(port: int | None = None, state: Path = DEFAULT_STATE, quiet: bool = False) -> dict:
    """Bring ZoneMinder up (idempotent); return the ready-file content."""
    reason = why_cannot_run()
    if reason:
        raise BringUpError(EXIT_CANNOT_RUN, f"ZoneMinder cannot run here: {reason}")
    started = time.monotonic()
    log = _Log(state, quiet)
    ready = read_ready(state)
    if ready and (port is None or port == ready["port"]):
        try:
            if _login(ready["url"], ready["password"]).get("access_token"):
                log(f"already up on {ready['url']}")
                write_target(state)
                return ready
        except (OSError, ValueError, urllib.error.URLError):
            pass
    _install(log)
    port = port or (ready or {}).get("port") or free_port()
    password = secrets.token_urlsafe(12)
    secret = "cctv-" + secrets.token_hex(16)
    we_started_db = _start_database(log, state)
    _setup_database(log, password, secret)
    log(f"configuring apache on 127.0.0.1:{port}")
    _sh("apachectl stop", 30, EXIT_START_FAILED, "stop apache") if _apache_running() else None
    _configure_apache(port)
    _sh(["apachectl", "start"], 30, EXIT_START_FAILED, "start apache")
    log("starting zoneminder daemons")
    _sh(["/etc/init.d/zoneminder", "restart"], 90, EXIT_START_FAILED, "start zoneminder")
    base = f"http://127.0.0.1:{port}/zm"
    login = _wait_api(base, password, 60)
    ready = {
        "product": "zoneminder",
        "url": base,
        "api": f"{base}/api",
        "port": port,
        "username": "admin",
        "password": password,
        "version": login.get("version"),
        "api_version": login.get("apiversion"),
        "started_mariadb": we_started_db or bool((read_ready(state) or {}).get("started_mariadb")),
        "bringup_s": round(time.monotonic() - started, 1),
        # The shape target files read (conformance.vms_target.resolve_vms): the VMS from a
        # ready file; no simulated devices of its own (the suite serves the cameras).
        "vms": {"adapter": "zoneminder", "url": base, "username": "admin", "password": password},
        "devices": [],
    }
    path = state / "ready.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ready, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    write_target(state)
    log(f"up: {base} (ZoneMinder {ready['version']}, API {ready['api_version']})")
    return ready


def _apache_running() -> bool:
    return Path("/var/run/apache2/apache2.pid").exists()


def down(state: Path = DEFAULT_STATE, quiet: bool = False) -> list[str]:
    """Stop everything ``up`` started and wipe ZoneMinder's data; return what is still wrong."""
    log = _Log(state, quiet)
    ready = read_ready(state) or {}
    steps: list[tuple[str, str]] = [
        ("stop zoneminder", "/etc/init.d/zoneminder stop || zmpkg.pl stop"),
        ("stop apache", "apachectl stop"),
        (
            "drop zm database",
            "mysql -e \"DROP DATABASE IF EXISTS zm; DROP USER IF EXISTS 'zmuser'@'localhost';\"",
        ),
    ]
    if ready.get("started_mariadb", True):
        steps.append(("stop mariadb", "/etc/init.d/mariadb stop || mysqladmin shutdown"))
    steps.append(
        (
            "wipe zoneminder data",
            "rm -rf /var/cache/zoneminder/events/* /var/cache/zoneminder/images/* "
            "/var/log/zm/* /dev/shm/zm.* /tmp/zm/*",
        )
    )
    for what, cmd in steps:
        if not shutil.which(cmd.split()[0]) and not Path(cmd.split()[0]).exists():
            continue
        try:
            _sh(cmd, 60, EXIT_START_FAILED, what)
            log(what)
        except BringUpError as exc:
            log(f"{what}: {exc}")  # keep going: stopping the rest matters more
    # Leave Apache's stock configuration (Listen 80) but disabled confs; nothing is running.
    for path in (API_CONF, SERVERNAME_CONF, LOCAL_ZM_CONF):
        if path.exists():
            subprocess.run(
                ["a2disconf", "-q", path.stem], capture_output=True, timeout=30, check=False
            ) if path.parent.name == "conf-available" else None
            path.unlink(missing_ok=True)
    if PORTS_CONF.exists():
        PORTS_CONF.write_text(STOCK_PORTS, encoding="utf-8")
    problems = []
    port = ready.get("port")
    if port and port_listening(int(port)):
        problems.append(f"something still listens on 127.0.0.1:{port}")
    (state / "ready.json").unlink(missing_ok=True)
    (state / "zoneminder.yaml").unlink(missing_ok=True)
    log("down" + (f": {'; '.join(problems)}" if problems else ""))
    return problems


def main(argv: list[str]) -> int:
    """Entry for ``cctv-conformance zm up|down``; one line on stdout, one on failure."""
    import argparse

    parser = argparse.ArgumentParser(prog="cctv-conformance zm")
    sub = parser.add_subparsers(dest="action", required=True)
    p_up = sub.add_parser("up", help="install (if missing) and start ZoneMinder on 127.0.0.1")
    p_up.add_argument("--port", type=int, help="Apache port on 127.0.0.1 (default: a free one)")
    p_up.add_argument("--state", default=str(DEFAULT_STATE), help="state directory")
    p_down = sub.add_parser("down", help="stop ZoneMinder, Apache, MariaDB; wipe its data")
    p_down.add_argument("--state", default=str(DEFAULT_STATE), help="state directory")
    sub.add_parser("check", help="say whether ZoneMinder can run on this machine")
    args = parser.parse_args(argv)
    try:
        if args.action == "check":
            reason = why_cannot_run()
            print(reason or "ZoneMinder can run here")
            return EXIT_CANNOT_RUN if reason else EXIT_OK
        if args.action == "up":
            ready = up(args.port, Path(args.state))
            state = Path(args.state)
            print(
                f"ZoneMinder {ready['version']} up at {ready['url']} (ready file "
                f"{state / 'ready.json'}; target {state / 'zoneminder.yaml'})"
            )
            return EXIT_OK
        problems = down(Path(args.state))
        print("ZoneMinder down" + (f" — {'; '.join(problems)}" if problems else ""))
        return EXIT_START_FAILED if problems else EXIT_OK
    except BringUpError as exc:
        print(f"cctv-conformance zm: {exc}", file=sys.stderr)
        return exc.status
