#!/usr/bin/env python3
"""Checks docker-compose.yml, the Dockerfile and .dockerignore without a Docker engine.

- `docker-compose config` (Debian's docker-compose) validates the file; `docker compose config`
  too when the plugin is installed;
- structure: services, healthchecks, depends_on conditions, repository files mounted read-only
  (not copied), the writer's artifacts volume mounted where the demo config's relative artifact
  sources point, ports on loopback, no secret inline;
- the shell each service runs is exercised here where that is possible without images: the
  secrets generator (idempotent, owners), the Alertmanager config derivation (then
  `amtool check-config`), the Prometheus config (`promtool check config` with the real rules),
  the exporter's /dev/tcp healthcheck against a local HTTP server;
- the Dockerfile builds from Debian with the packages of scripts/apt-packages.txt.
"""
import fnmatch
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_lib as lib  # noqa: E402

COMPOSE = os.path.join(lib.ROOT, "docker-compose.yml")
DEMO_CONFIG = os.path.join(lib.ROOT, "examples", "demo", "freshness.yml")
DOCKERFILE = os.path.join(lib.ROOT, "Dockerfile")
ONE_SHOT = {"secrets", "demo-setup"}
LONG_RUNNING = {"postgres", "writer", "exporter", "capture", "alertmanager", "prometheus",
                "grafana"}


def raw_compose():
    with open(COMPOSE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def shell_of(service):
    """The script a service runs through `sh -c`/`bash -c`, with compose's $$ unescaped."""
    (script,) = raw_compose()["services"][service]["command"]
    return script.replace("$$", "$")


class ComposeConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tool = lib.require_tool("docker-compose")
        result = subprocess.run([tool, "-f", COMPOSE, "config"], capture_output=True, text=True,
                                cwd=lib.ROOT)
        if result.returncode:
            raise AssertionError("docker-compose config failed:\n" + result.stderr)
        cls.config = yaml.safe_load(result.stdout)
        cls.services = cls.config["services"]

    def test_docker_compose_plugin_validates_too(self):
        docker = shutil.which("docker")
        if not docker or subprocess.run([docker, "compose", "version"],
                                        capture_output=True).returncode:
            return  # the plugin is not packaged in Debian; docker-compose above is the check
        result = subprocess.run([docker, "compose", "-f", COMPOSE, "config", "-q"],
                                capture_output=True, text=True, cwd=lib.ROOT)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_services(self):
        self.assertEqual(set(self.services), ONE_SHOT | LONG_RUNNING)

    def test_healthchecks_and_restart(self):
        for name in LONG_RUNNING - {"writer"}:
            with self.subTest(service=name):
                self.assertIn("healthcheck", self.services[name])
                self.assertEqual(self.services[name]["healthcheck"]["test"][0], "CMD")
        for name in LONG_RUNNING:
            self.assertEqual(self.services[name].get("restart"), "unless-stopped", name)
        for name in ONE_SHOT:
            self.assertNotIn("restart", self.services[name], name)

    def test_depends_on_conditions(self):
        for name, service in self.services.items():
            for dependency, spec in (service.get("depends_on") or {}).items():
                with self.subTest(service=name, dependency=dependency):
                    expected = ("service_completed_successfully" if dependency in ONE_SHOT
                                else "service_healthy")
                    self.assertEqual(spec["condition"], expected)
                    if expected == "service_healthy":
                        self.assertIn("healthcheck", self.services[dependency])
        order = {
            "postgres": {"secrets"}, "demo-setup": {"postgres"}, "writer": {"demo-setup"},
            "exporter": {"demo-setup"}, "alertmanager": {"secrets", "capture"},
            "prometheus": {"exporter", "alertmanager"}, "grafana": {"secrets", "prometheus"},
        }
        for name, dependencies in order.items():
            self.assertEqual(set(self.services[name]["depends_on"]), dependencies, name)

    def bind_mounts(self, name):
        mounts = []
        for volume in self.services[name].get("volumes", []):
            source, target, *mode = volume.split(":")
            if source.startswith("/"):
                mounts.append((os.path.relpath(source, lib.ROOT), target, mode[0] if mode else ""))
        return mounts

    def test_repository_files_are_mounted_read_only(self):
        mounted = set()
        for name in self.services:
            for source, target, mode in self.bind_mounts(name):
                with self.subTest(service=name, source=source):
                    self.assertFalse(source.startswith(".."), "mount from outside the repository")
                    self.assertTrue(os.path.exists(os.path.join(lib.ROOT, source)),
                                    f"{source} does not exist")
                    self.assertEqual(mode, "ro")
                    mounted.add((name, source, target))
        for expected in [
            ("exporter", "examples/demo/freshness.yml", "/etc/freshness-exporter/freshness.yml"),
            ("demo-setup", "examples/demo", "/demo"),
            ("writer", "examples/demo", "/demo"),
            ("prometheus", "rules", "/etc/prometheus/rules"),
            ("alertmanager", "rules/alertmanager", "/etc/alertmanager/bundle"),
            ("grafana", "dashboards", "/var/lib/grafana/dashboards/freshness"),
            ("grafana", "dashboards/provisioning/datasources",
             "/etc/grafana/provisioning/datasources"),
            ("grafana", "dashboards/provisioning/dashboards",
             "/etc/grafana/provisioning/dashboards"),
        ]:
            self.assertIn(expected, mounted)

    def named_volume_mounts(self, name, volume):
        """(target, mode) of each mount of the named VOLUME in service NAME."""
        mounts = []
        for entry in self.services[name].get("volumes", []):
            source, target, *mode = entry.split(":")
            if source == volume:
                mounts.append((target, mode[0] if mode else "rw"))
        return mounts

    def test_demo_artifacts_are_shared_beside_the_config(self):
        """The writer's artifacts volume is where the demo config's relative sources point."""
        with open(DEMO_CONFIG, encoding="utf-8") as f:
            sources = [c["source"] for c in yaml.safe_load(f)["checks"] if c["kind"] == "artifact"]
        self.assertTrue(sources, "the demo config has no artifact check")
        ((exporter_target, exporter_mode),) = self.named_volume_mounts("exporter", "demo-artifacts")
        self.assertEqual(exporter_mode, "ro")
        config_dir = os.path.dirname("/etc/freshness-exporter/freshness.yml")
        for source in sources:
            with self.subTest(source=source):
                self.assertFalse(os.path.isabs(source) or "://" in source, source)
                resolved = os.path.normpath(os.path.join(config_dir, source))
                self.assertTrue(resolved.startswith(exporter_target + "/"), resolved)
        ((writer_target, writer_mode),) = self.named_volume_mounts("writer", "demo-artifacts")
        self.assertEqual(writer_mode, "rw")
        self.assertIn(f"--artifact-dir={writer_target} ", shell_of("writer") + " ")
        # The writer (not root) may write into the fresh volume.
        user = self.services["writer"]["user"].split(":")
        options = self.config["volumes"]["demo-artifacts"]["driver_opts"]["o"].split(",")
        self.assertIn(f"uid={user[0]}", options)
        self.assertIn(f"gid={user[1]}", options)

    def test_grafana_provisioning_matches_mounts(self):
        with open(os.path.join(lib.DASHBOARD_DIR, "provisioning", "dashboards", "freshness.yml"),
                  encoding="utf-8") as f:
            provider = yaml.safe_load(f)["providers"][0]
        targets = {t for _, t, _ in self.bind_mounts("grafana")}
        self.assertIn(provider["options"]["path"], targets)
        home = self.services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        self.assertTrue(home.startswith(provider["options"]["path"] + "/"))
        self.assertTrue(os.path.exists(os.path.join(lib.DASHBOARD_DIR, os.path.basename(home))))

    def test_ports_on_loopback_only(self):
        for name, service in self.services.items():
            for port in service.get("ports", []):
                published = port if isinstance(port, str) else f"{port.get('host_ip')}:"
                with self.subTest(service=name, port=port):
                    self.assertTrue(str(published).startswith("127.0.0.1:"), port)
        ports = {name: [p.split(":")[1] for p in s.get("ports", [])]
                 for name, s in self.services.items()}
        self.assertEqual(ports["exporter"], ["9560"])
        self.assertEqual(ports["grafana"], ["3000"])
        self.assertEqual(ports["prometheus"], ["9090"])
        self.assertEqual(ports["alertmanager"], ["9093"])

    def test_no_secret_inline(self):
        with open(COMPOSE, encoding="utf-8") as f:
            text = f.read()
        self.assertNotRegex(text, r"(?i)\bpassword=[^\s$\"']")  # a DSN with a literal password
        self.assertNotRegex(text, r"(?im)^\s*\w*(PASSWORD|TOKEN|SECRET)\s*:")  # a secret key
        for name, service in self.services.items():
            env = service.get("environment") or {}
            for key in env:
                with self.subTest(service=name, variable=key):
                    self.assertFalse(re.search(r"PASSWORD$|DSN$|TOKEN$|KEY$", key),
                                     f"{key}: secrets come from files")
        self.assertIn("POSTGRES_PASSWORD_FILE", self.services["postgres"]["environment"])
        self.assertIn("GF_SECURITY_ADMIN_PASSWORD__FILE", self.services["grafana"]["environment"])

    def test_prometheus_keeps_90_days(self):
        """ALERTS answers "what alerted last week, and for how long" (docs/docker-compose.md)."""
        script = shell_of("prometheus")
        self.assertIn("--storage.tsdb.retention.time=90d", script)
        self.assertNotIn("retention.size", script)  # a size cap would cut the 90 days short
        volumes = raw_compose()["services"]["prometheus"]["volumes"]
        self.assertIn("prometheus-data:/prometheus", volumes)  # kept across restarts

    def test_exporter_service(self):
        exporter = self.services["exporter"]
        self.assertEqual(exporter["build"]["dockerfile"], "Dockerfile")
        self.assertEqual(os.path.realpath(exporter["build"]["context"]), lib.ROOT)
        self.assertTrue(exporter["read_only"])
        self.assertEqual(exporter["cap_drop"], ["ALL"])
        script = shell_of("exporter")
        self.assertIn("--config.file=/etc/freshness-exporter/freshness.yml", script)
        self.assertIn("--web.listen-address=:9560", script)
        with open(os.path.join(lib.ROOT, "examples", "demo", "freshness.yml"),
                  encoding="utf-8") as f:
            config = yaml.safe_load(f)
        # The demo config's DSN variable is the one the entrypoint sets from the secret file.
        for target in config["targets"].values():
            self.assertIn(f'{target["dsn_env"]}=$(cat /run/secrets/exporter/', script)


class ComposeScriptsTest(unittest.TestCase):
    """Runs the services' own shell snippets against local stand-ins."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="compose-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_secrets_generator_is_idempotent(self):
        bash = lib.require_tool("bash")
        script = shell_of("secrets").replace("/secrets/", self.tmp + "/")
        for sub in ("postgres", "exporter", "alertmanager", "grafana"):
            os.makedirs(os.path.join(self.tmp, sub))
        if os.geteuid() != 0:
            script = "chown() { :; }\n" + script  # ownership needs root; the rest is checked
        first = subprocess.run([bash, "-euc", script], capture_output=True, text=True)
        self.assertEqual(first.returncode, 0, first.stderr)

        def snapshot():
            out = {}
            for root, _, files in os.walk(self.tmp):
                for f in files:
                    path = os.path.join(root, f)
                    with open(path, encoding="utf-8") as fh:
                        out[os.path.relpath(path, self.tmp)] = (fh.read(), os.stat(path))
            return out

        before = snapshot()
        second = subprocess.run([bash, "-euc", script], capture_output=True, text=True)
        self.assertEqual(second.returncode, 0, second.stderr)
        after = snapshot()
        self.assertEqual({k: v[0] for k, v in before.items()},
                         {k: v[0] for k, v in after.items()})
        owners = {"postgres/postgres_password": 999, "postgres/reader_password": 999,
                  "exporter/demo_dsn": 65532, "alertmanager/slack_webhook_url": 65534,
                  "alertmanager/pagerduty_routing_key": 65534,
                  "alertmanager/smtp_password": 65534, "grafana/admin_password": 472}
        self.assertEqual(set(after), set(owners))
        for name, uid in owners.items():
            content, stat = after[name]
            self.assertTrue(content, name)
            self.assertEqual(stat.st_mode & 0o777, 0o400, name)
            if os.geteuid() == 0:
                self.assertEqual(stat.st_uid, uid, name)
        reader = after["postgres/reader_password"][0]
        self.assertRegex(reader, r"^[A-Za-z0-9]{24}$")
        self.assertEqual(after["exporter/demo_dsn"][0],
                         "host=postgres port=5432 dbname=pipeline user=freshness_reader "
                         f"password={reader}")
        self.assertEqual(after["alertmanager/slack_webhook_url"][0], "http://capture:9095/slack")
        # rules/alertmanager/alertmanager.yml reads exactly these files.
        with open(os.path.join(lib.RULES_DIR, "alertmanager", "alertmanager.yml"),
                  encoding="utf-8") as f:
            am_text = f.read()
        for path in re.findall(r"/etc/alertmanager/secrets/(\w+)", am_text):
            self.assertIn(f"alertmanager/{path}", after)

    def test_alertmanager_config_derivation_passes_amtool(self):
        amtool = lib.require_tool("amtool")
        sh = lib.require_tool("sh")
        script = shell_of("alertmanager")
        script = script[:script.index("exec /bin/alertmanager")]
        script = script.replace("/etc/alertmanager/bundle",
                                os.path.join(lib.RULES_DIR, "alertmanager"))
        script = script.replace("/alertmanager/config", os.path.join(self.tmp, "config"))
        env = dict(os.environ, PAGERDUTY_URL=raw_compose()["services"]["alertmanager"][
            "environment"]["PAGERDUTY_URL"])
        result = subprocess.run([sh, "-euc", script], capture_output=True, text=True, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        derived = os.path.join(self.tmp, "config", "alertmanager.yml")
        with open(derived, encoding="utf-8") as f:
            config = yaml.safe_load(f)
        with open(os.path.join(lib.RULES_DIR, "alertmanager", "alertmanager.yml"),
                  encoding="utf-8") as f:
            original = yaml.safe_load(f)
        self.assertEqual(config["global"]["pagerduty_url"], "http://capture:9095/pagerduty")
        # Nothing else changed.
        config["global"]["pagerduty_url"] = original["global"]["pagerduty_url"]
        self.assertEqual(config, original)
        check = subprocess.run([amtool, "check-config", derived], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertRegex(check.stdout, r"[1-9]\d* templates")

    def test_prometheus_config_passes_promtool(self):
        promtool = lib.require_tool("promtool")
        text = raw_compose()["services"]["prometheus"]["environment"]["PROMETHEUS_CONFIG"]
        config = yaml.safe_load(text)
        self.assertEqual(config["rule_files"], ["/etc/prometheus/rules/*.rules.yml"])
        jobs = {j["job_name"]: j for j in config["scrape_configs"]}
        self.assertEqual(jobs["freshness_exporter"]["static_configs"][0]["targets"],
                         ["exporter:9560"])
        local = text.replace("/etc/prometheus/rules", lib.RULES_DIR)
        path = os.path.join(self.tmp, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(local)
        result = subprocess.run([promtool, "check", "config", path], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        for rule_file in lib.rule_files():
            if os.path.dirname(rule_file) == lib.RULES_DIR:
                self.assertIn(os.path.basename(rule_file), result.stdout)

    def test_capture_receiver_records_notifications(self):
        python = sys.executable
        service = raw_compose()["services"]["capture"]
        self.assertEqual(service["command"][:2], ["python3", "-c"])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        program = (service["command"][2].replace('"0.0.0.0", 9095', f'"127.0.0.1", {port}')
                   .replace("/captures/", self.tmp + "/"))
        (mount,) = [v for v in service["volumes"] if "capture_server.py" in v]
        source = os.path.join(lib.ROOT, mount.split(":")[0])
        self.assertTrue(os.path.exists(source), source)
        process = subprocess.Popen([python, "-c", program], cwd=os.path.dirname(source),
                                   stderr=subprocess.DEVNULL)
        try:
            health = service["healthcheck"]["test"][3].replace("9095", str(port))
            for _ in range(50):
                if subprocess.run([python, "-c", health], capture_output=True).returncode == 0:
                    break
                time.sleep(0.1)
            else:
                self.fail("the capture receiver never became healthy")
            request = urllib.request.Request(f"http://127.0.0.1:{port}/slack",
                                             data=b'{"text": "hello"}', method="POST")
            with urllib.request.urlopen(request, timeout=5) as response:
                self.assertEqual(response.status, 200)
            with open(os.path.join(self.tmp, "captures.jsonl"), encoding="utf-8") as f:
                record = json.loads(f.readline())
            self.assertEqual((record["path"], record["body"]), ("/slack", {"text": "hello"}))
        finally:
            process.terminate()
            process.wait(timeout=10)

    def test_exporter_healthcheck_command(self):
        bash = lib.require_tool("bash")
        command = raw_compose()["services"]["exporter"]["healthcheck"]["test"]
        self.assertEqual(command[:3], ["CMD", "/bin/bash", "-c"])
        status = {"/-/ready": 200}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(status.get(self.path, 404))
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            script = command[3].replace("/127.0.0.1/9560", f"/127.0.0.1/{server.server_port}")
            self.assertEqual(subprocess.run([bash, "-c", script], timeout=10).returncode, 0)
            status["/-/ready"] = 503
            self.assertNotEqual(subprocess.run([bash, "-c", script], timeout=10).returncode, 0)
        finally:
            server.shutdown()
            server.server_close()


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DOCKERFILE, encoding="utf-8") as f:
            cls.text = f.read()
        cls.stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", cls.text, re.M)

    def test_multi_stage_on_debian(self):
        self.assertEqual(len(self.stages), 2)
        self.assertIn("ARG DEBIAN_RELEASE=bookworm", self.text)
        self.assertEqual(self.stages[0], ("debian:${DEBIAN_RELEASE}", "build"))
        self.assertEqual(self.stages[1][0], "debian:${DEBIAN_RELEASE}-slim")
        final = self.text[self.text.rindex("\nFROM "):]
        # The final image gets the binary from the build stage and nothing from the context.
        for line in re.findall(r"^COPY .*$", final, re.M):
            self.assertIn("--from=build", line)

    def test_runs_as_the_chart_user(self):
        final = self.text[self.text.rindex("\nFROM "):]
        user = re.findall(r"^USER\s+(\S+)", final, re.M)
        self.assertEqual(user, ["65532:65532"])
        with open(os.path.join(lib.ROOT, "helm", "freshness-exporter", "values.yaml"),
                  encoding="utf-8") as f:
            values = yaml.safe_load(f)
        self.assertEqual(values["podSecurityContext"]["runAsUser"], 65532)
        self.assertIn("EXPOSE 9560", final)
        self.assertIn('"--web.listen-address=:9560"', final)

    def test_port_is_the_exporter_default(self):
        """The image, the compose stack and the chart use the exporter's default port."""
        with open(os.path.join(lib.ROOT, "exporter", "src", "main.cc"), encoding="utf-8") as f:
            default = re.search(r'listen_address = ":(\d+)"', f.read()).group(1)
        self.assertIn(f"EXPOSE {default}\n", self.text)
        with open(COMPOSE, encoding="utf-8") as f:
            compose = f.read()
        self.assertIn(f'"127.0.0.1:{default}:{default}"', compose)
        self.assertIn(f'"exporter:{default}"', compose)
        with open(os.path.join(lib.ROOT, "helm", "freshness-exporter", "values.yaml"),
                  encoding="utf-8") as f:
            self.assertEqual(yaml.safe_load(f)["service"]["port"], int(default))

    def test_build_packages_come_from_apt_packages_txt(self):
        grep = re.search(r"grep -xE '([^']+)'", self.text).group(1)
        exclude = re.search(r"grep -vE '([^']+)'", self.text).group(1)
        with open(os.path.join(lib.ROOT, "scripts", "apt-packages.txt"), encoding="utf-8") as f:
            packages = [line.strip() for line in f]
        selected = [p for p in packages
                    if re.fullmatch(grep, p) and not re.search(exclude, p)]
        # Every library the CMake build finds is in the selection.
        for package in ("prometheus-cpp-dev", "libpqxx-dev", "libcpp-httplib-dev",
                        "libyaml-cpp-dev", "libhowardhinnant-date-dev", "libcli11-dev",
                        "nlohmann-json3-dev", "libssl-dev", "libcrypt-dev", "cmake"):
            self.assertIn(package, selected)
        self.assertFalse([p for p in selected if p.startswith("golang-")])
        self.assertIn("-DFRESHNESS_BUILD_TESTS=OFF", self.text)

    def test_build_context_configures(self):
        """The build stage's cmake configure works on the context .dockerignore leaves."""
        cmake = lib.require_tool("cmake")
        with open(os.path.join(lib.ROOT, ".dockerignore"), encoding="utf-8") as f:
            patterns = [line.strip() for line in f if line.strip() and not line.startswith("#")]

        def ignored(relative):
            return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, p + "/*")
                       or fnmatch.fnmatch(os.path.basename(relative), p.replace("**/", ""))
                       for p in patterns)

        with tempfile.TemporaryDirectory(prefix="docker-context-") as context:
            for directory, dirs, files in os.walk(lib.ROOT):
                rel_dir = os.path.relpath(directory, lib.ROOT)
                dirs[:] = [d for d in dirs
                           if not ignored(os.path.normpath(os.path.join(rel_dir, d)))]
                for name in files:
                    rel = os.path.normpath(os.path.join(rel_dir, name))
                    if not ignored(rel):
                        os.makedirs(os.path.join(context, rel_dir), exist_ok=True)
                        shutil.copy2(os.path.join(directory, name), os.path.join(context, rel))
            self.assertFalse(os.path.exists(os.path.join(context, "examples")))
            result = subprocess.run([cmake, "-S", context, "-B", os.path.join(context, "out"),
                                     "-DCMAKE_BUILD_TYPE=Release", "-DFRESHNESS_BUILD_TESTS=OFF"],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_dockerignore(self):
        with open(os.path.join(lib.ROOT, ".dockerignore"), encoding="utf-8") as f:
            ignored = {line.strip() for line in f if line.strip() and not line.startswith("#")}
        self.assertTrue({".git", "build", "tests", "helm", "dashboards", "examples", "rules"}
                        <= ignored)
        for needed in ("exporter", "scripts", "CMakeLists.txt"):
            self.assertNotIn(needed, ignored)


if __name__ == "__main__":
    unittest.main(verbosity=2)
