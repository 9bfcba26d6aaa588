"""Run a real local Neo4j Community 5.26 LTS from Maven Central, for tests and the CLI.

Neo4j runs embedded in a small Java launcher (``graph/launcher``), so no Neo4j
installation, Docker or download outside Maven Central is needed: just java and mvn.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

from neo4j import GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

LAUNCHER_DIR = Path(__file__).parent / "launcher"
MAIN_CLASS = "org.selfdata.registry.LocalNeo4j"
CLASSPATH_FILE = "classpath.txt"
# Small heap and serial GC: the machine is small and shared with the rest of the tests.
# The --add-opens flags are the ones Neo4j's own launcher passes (page cache, Netty).
JVM_OPTIONS = (
    "-Xms64m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
)
APOC_JAR_PREFIXES = ("apoc-core-", "apoc-common-")
MVN_TIMEOUT = 1800.0  # a cold Maven cache downloads ~170 MB of jars
OUTPUT_TAIL_LINES = 60


class Neo4jUnavailable(Exception):
    """Neo4j cannot be run here; the message says why in words a person can act on."""


def _require(tool: str) -> str:
    """Find a tool on PATH, so a missing one is reported as such, not as a crash."""
    path = shutil.which(tool)
    if path is None:
        raise Neo4jUnavailable(f"{tool} not found on PATH")
    return path


def _classpath_is_fresh(cp_file: Path, classes: Path) -> bool:
    """Whether the cached build still matches pom.xml, the sources and ~/.m2."""
    if not cp_file.is_file() or not (classes / "org/selfdata/registry/LocalNeo4j.class").is_file():
        return False
    built = cp_file.stat().st_mtime
    inputs = [LAUNCHER_DIR / "pom.xml", *(LAUNCHER_DIR / "src").rglob("*.java")]
    if any(p.stat().st_mtime > built for p in inputs):
        return False
    jars = cp_file.read_text(encoding="utf-8").strip().split(os.pathsep)
    return all(Path(jar).is_file() for jar in jars if jar)


def launcher_classpath(cache_dir: Path | None = None) -> str:
    """Build the launcher once; return its Java classpath (jars and target/classes).

    Maven runs only when the cached classpath file is missing or older than pom.xml or a
    Java source; a file lock keeps parallel test workers from building at the same time.
    """
    _require("java")
    mvn = _require("mvn")
    target = LAUNCHER_DIR / "target"
    classes = target / "classes"
    cache = cache_dir if cache_dir is not None else target
    cache.mkdir(parents=True, exist_ok=True)
    cp_file = cache / CLASSPATH_FILE
    with open(cache / ".build.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _classpath_is_fresh(cp_file, classes):
            tmp = cache / f"{CLASSPATH_FILE}.{os.getpid()}.tmp"
            pom = str(LAUNCHER_DIR / "pom.xml")
            command = [
                mvn,
                "-q",
                "-B",
                "-f",
                pom,
                "compile",
                "dependency:build-classpath",
            ]
            command.append(f"-Dmdep.outputFile={tmp.resolve()}")
            try:
                done = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=MVN_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise Neo4jUnavailable(f"mvn did not finish in {MVN_TIMEOUT:.0f} s") from exc
            if done.returncode != 0 or not tmp.is_file():
                tail = "\n".join((done.stdout + done.stderr).splitlines()[-OUTPUT_TAIL_LINES:])
                tmp.unlink(missing_ok=True)
                raise Neo4jUnavailable(f"mvn failed to build the Neo4j launcher:\n{tail}")
            tmp.replace(cp_file)
    jars = cp_file.read_text(encoding="utf-8").strip()
    return os.pathsep.join(p for p in (str(classes.resolve()), jars) if p)


def apoc_plugins(classpath: str, plugin_dir: Path) -> Path:
    """Link the APOC jars of the launcher's classpath into plugin_dir, where Neo4j loads procedures.

    Neo4j registers procedures only from its plugin folder; the jars also stay on the
    classpath, where APOC's extension classes are found.
    """
    plugin_dir.mkdir(parents=True, exist_ok=True)
    for entry in classpath.split(os.pathsep):
        jar = Path(entry)
        if jar.suffix == ".jar" and jar.name.startswith(APOC_JAR_PREFIXES):
            link = plugin_dir / jar.name
            if not link.exists():
                link.symlink_to(jar.resolve())
    return plugin_dir


def free_port() -> int:
    """Ask the OS for a loopback port that is free now (it may be taken again later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalNeo4j:
    """One Neo4j JVM serving Bolt on 127.0.0.1:port, its store and logs in data_dir."""

    def __init__(self, port: int, data_dir: Path, password: str | None = None) -> None:
        self.port = port
        self.data_dir = Path(data_dir)
        self.password = password
        self._process: subprocess.Popen[str] | None = None
        self._output: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def uri(self) -> str:
        """The Bolt URI clients connect to."""
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        """Driver auth for this server: None when it runs without authentication."""
        return ("neo4j", self.password) if self.password is not None else None

    def running(self) -> bool:
        """Whether the JVM is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 180) -> str:
        """Start the JVM; return the URI once it said READY and a driver connected."""
        if self.running():
            return self.uri
        classpath = launcher_classpath()
        java = _require("java")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [java, *JVM_OPTIONS, "-cp", classpath, MAIN_CLASS]
        command += ["--port", str(self.port), "--data", str(self.data_dir.resolve())]
        command += ["--plugins", str(apoc_plugins(classpath, self.data_dir / "plugins").resolve())]
        if self.password is not None:
            command += ["--password", self.password]
        self._output.clear()
        self._ready.clear()
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(
            target=self._read_output,
            args=(self._process,),
            name="neo4j-output",
            daemon=True,
        )
        self._reader.start()
        try:
            self._wait_until_serving(timeout)
        except BaseException:
            self.stop()
            raise
        return self.uri

    def _read_output(self, process: subprocess.Popen[str]) -> None:
        """Drain the JVM's output (so it never blocks on a full pipe) and spot READY."""
        assert process.stdout is not None
        for line in process.stdout:
            self._output.append(line.rstrip("\n"))
            if line.startswith("READY "):
                self._ready.set()

    def _tail(self) -> str:
        logs = self.data_dir / "logs" / "debug.log"
        return "\n".join(self._output) + f"\n(Neo4j's own log: {logs})"

    def _wait_until_serving(self, timeout: float) -> None:
        """Wait for READY, then for a Bolt handshake and auth to succeed end to end."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                if self._reader is not None:
                    self._reader.join(timeout=5)
                why = f"Neo4j exited with code {code} before it was ready"
                raise Neo4jUnavailable(f"{why}:\n{self._tail()}")
            if not self._ready.wait(timeout=0.2):
                continue
            try:
                with GraphDatabase.driver(self.uri, auth=self.auth) as driver:
                    driver.verify_connectivity()
                return
            except (DriverError, Neo4jError, OSError) as exc:
                last_error = exc
                time.sleep(0.2)
        why = f"Neo4j did not accept Bolt connections within {timeout:.0f} s"
        if last_error is not None:
            why += f" (last error: {last_error!r})"
        raise Neo4jUnavailable(f"{why}:\n{self._tail()}")

    def stop(self, timeout: float = 60) -> None:
        """Stop with SIGTERM (Neo4j checkpoints on shutdown); SIGKILL only if stuck."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if process.stdout is not None:
            process.stdout.close()
        self._process = None

    def kill(self) -> None:
        """kill -9 the JVM: no checkpoint, no clean shutdown (crash tests).  `start` again
        on the same data folder recovers from Neo4j's transaction log."""
        process = self._process
        if process is None:
            return
        process.send_signal(signal.SIGKILL)
        process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if process.stdout is not None:
            process.stdout.close()
        self._process = None

    def run_foreground(self) -> None:
        """For `registry neo4j-local`: serve until Ctrl-C or SIGTERM, then stop."""
        stop_requested = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop_requested.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            try:
                self.start()
            except Neo4jUnavailable:
                # Ctrl-C while starting also stops the JVM (same process group).
                if stop_requested.is_set():
                    return
                raise
            auth = "user neo4j, password set" if self.password is not None else "no auth"
            print(
                f"Neo4j listening on {self.uri} ({auth}); data in {self.data_dir}",
                flush=True,
            )
            print("Press Ctrl-C to stop.", flush=True)
            while not stop_requested.is_set() and self.running():
                stop_requested.wait(timeout=0.5)
            if not stop_requested.is_set():
                self.stop()  # collects the rest of its output
                raise Neo4jUnavailable(f"Neo4j exited unexpectedly:\n{self._tail()}")
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        print("Neo4j stopped.", flush=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
