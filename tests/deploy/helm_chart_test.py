#!/usr/bin/env python3
"""Renders helm/freshness-exporter with default and overridden values and checks the result.

With `helm` on PATH the chart is linted and rendered by helm itself. Without it (Debian does not
package helm) it is rendered by tests/deploy/helmrender, a small `helm template` built from
Debian's Go packages: text/template, sprig, sigs.k8s.io/yaml and gojsonschema, the libraries Helm
itself uses (see its header for what it reproduces). The overridden values use the demo's
exporter configuration (examples/demo/freshness.yml), and the PrometheusRule's groups are
compared with rules/ and checked with `promtool check rules`.
"""
import datetime
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_lib as lib  # noqa: E402

CHART = os.path.join(lib.ROOT, "helm", "freshness-exporter")
DEMO_CONFIG = os.path.join(lib.ROOT, "examples", "demo", "freshness.yml")
HERE = os.path.dirname(os.path.abspath(__file__))


class Renderer:
    """helm when installed, else the helmrender harness (built once per run)."""

    def __init__(self, workdir):
        self.helm = shutil.which("helm")
        if self.helm:
            self.name = "helm " + subprocess.run([self.helm, "version", "--short"],
                                                 capture_output=True, text=True).stdout.strip()
            return
        go = lib.require_tool("go")
        binary = os.path.join(workdir, "helmrender")
        env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
                   GOCACHE=os.environ.get("GOCACHE") or os.path.join(workdir, "gocache"),
                   GOFLAGS="")
        result = subprocess.run([go, "build", "-o", binary, "."],
                                cwd=os.path.join(HERE, "helmrender"), env=env,
                                capture_output=True, text=True)
        if result.returncode:
            raise AssertionError("building helmrender failed (golang-go and the golang-*-dev "
                                 "packages of scripts/apt-packages.txt):\n" + result.stderr)
        self.binary = binary
        self.name = "helmrender (Go text/template + sprig harness)"

    def run(self, command, values_files=(), extra=()):
        args = []
        for f in values_files:
            args += ["-f", f]
        if self.helm:
            if command == "template":
                cmd = [self.helm, "template", "release-name", CHART, "--namespace", "default",
                       *args, *extra]
            else:
                cmd = [self.helm, "lint", CHART, *args]
        else:
            cmd = [self.binary, command, CHART, *args, *extra]
        return subprocess.run(cmd, capture_output=True, text=True)

    def template(self, values_files=(), extra=()):
        result = self.run("template", values_files, extra)
        if result.returncode:
            raise AssertionError(f"{self.name} template failed:\n{result.stderr}")
        return result.stdout


def documents(stream):
    docs = [d for d in yaml.safe_load_all(stream) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}, docs


def dates_as_text(value):
    if isinstance(value, dict):
        return {dates_as_text(k): dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_as_text(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def source_of(stream, template_name):
    """The raw rendered text of one template (between its '# Source:' line and the next)."""
    marker = f"# Source: freshness-exporter/templates/{template_name}\n"
    start = stream.index(marker) + len(marker)
    end = stream.find("\n---\n", start)
    return stream[start:] if end < 0 else stream[start:end]


class HelmChartTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="helm-test-")
        cls.renderer = Renderer(cls.workdir)
        print(f"rendering with {cls.renderer.name}", file=sys.stderr)
        with open(DEMO_CONFIG, encoding="utf-8") as f:
            cls.demo_config = yaml.safe_load(f)
        overrides = {
            "replicaCount": 2,
            "image": {"repository": "registry.example/freshness-exporter", "tag": "1.2.3"},
            "config": cls.demo_config,
            "dsn": {"existingSecret": "pipeline-dsn", "key": "dsn", "env": "DEMO_DSN"},
            "extraSecretEnv": [{"name": "OTHER_DSN", "secretName": "other-db", "key": "url"}],
            "secretMounts": [{"name": "web", "secretName": "exporter-web-config",
                              "mountPath": "/etc/freshness-exporter/web"}],
            "extraArgs": ["--web.config.file=/etc/freshness-exporter/web/web.yml"],
            "serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
            "prometheusRule": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
            "dashboards": {"enabled": True, "namespace": "monitoring"},
            "podDisruptionBudget": {"enabled": True},
        }
        cls.override_file = os.path.join(cls.workdir, "overrides.yaml")
        with open(cls.override_file, "w", encoding="utf-8") as f:
            yaml.safe_dump(overrides, f)
        cls.default_stream = cls.renderer.template()
        cls.default, cls.default_list = documents(cls.default_stream)
        cls.full_stream = cls.renderer.template([cls.override_file])
        cls.full, cls.full_list = documents(cls.full_stream)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def one(self, docs, kind):
        found = [d for (k, _), d in docs.items() if k == kind]
        self.assertEqual(len(found), 1, f"expected one {kind}")
        return found[0]

    # --- lint -----------------------------------------------------------------------------

    def test_lint_default_and_overridden(self):
        for files in ((), (self.override_file,)):
            result = self.renderer.run("lint", files)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    # --- kinds and labels -----------------------------------------------------------------

    def test_default_kinds(self):
        kinds = sorted(k for k, _ in self.default)
        self.assertEqual(kinds, ["ConfigMap", "Deployment", "Service", "ServiceAccount"])

    def test_overridden_kinds(self):
        kinds = sorted(k for k, _ in self.full)
        self.assertEqual(kinds, ["ConfigMap", "ConfigMap", "Deployment", "PodDisruptionBudget",
                                 "PrometheusRule", "Service", "ServiceAccount", "ServiceMonitor"])

    def test_labels_and_selectors(self):
        for docs in (self.default_list, self.full_list):
            for d in docs:
                labels = d["metadata"]["labels"]
                with self.subTest(kind=d["kind"]):
                    self.assertEqual(labels["app.kubernetes.io/name"], "freshness-exporter")
                    self.assertEqual(labels["app.kubernetes.io/instance"], "release-name")
                    self.assertEqual(labels["app.kubernetes.io/managed-by"], "Helm")
                    self.assertRegex(labels["helm.sh/chart"], r"^freshness-exporter-\d")
        for docs in (self.default, self.full):
            deployment = self.one(docs, "Deployment")
            service = self.one(docs, "Service")
            selector = deployment["spec"]["selector"]["matchLabels"]
            pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
            self.assertEqual(service["spec"]["selector"], selector)
            self.assertLessEqual(selector.items(), pod_labels.items())

    # --- the Deployment -------------------------------------------------------------------

    def container(self, docs):
        (container,) = self.one(docs, "Deployment")["spec"]["template"]["spec"]["containers"]
        return container

    def test_security_context(self):
        for docs in (self.default, self.full):
            pod = self.one(docs, "Deployment")["spec"]["template"]["spec"]
            self.assertTrue(pod["securityContext"]["runAsNonRoot"])
            self.assertNotEqual(pod["securityContext"]["runAsUser"], 0)
            self.assertEqual(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")
            self.assertFalse(pod["automountServiceAccountToken"])
            sc = self.container(docs)["securityContext"]
            self.assertTrue(sc["readOnlyRootFilesystem"])
            self.assertFalse(sc["allowPrivilegeEscalation"])
            self.assertTrue(sc["runAsNonRoot"])
            self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
            self.assertNotIn("add", sc["capabilities"])

    def test_probes_and_port(self):
        for docs in (self.default, self.full):
            c = self.container(docs)
            self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/-/healthy")
            self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/-/ready")
            self.assertEqual(c["ports"], [{"name": "http-metrics", "containerPort": 9560,
                                           "protocol": "TCP"}])
            self.assertIn("--web.listen-address=:9560", c["args"])
            self.assertIn("--config.file=/etc/freshness-exporter/freshness.yml", c["args"])
            service = self.one(docs, "Service")
            self.assertEqual(service["spec"]["ports"][0]["port"], 9560)
            self.assertEqual(service["spec"]["ports"][0]["targetPort"], "http-metrics")

    def test_config_checksum_annotation(self):
        checksums = []
        for stream, docs in ((self.default_stream, self.default),
                             (self.full_stream, self.full)):
            annotations = self.one(docs, "Deployment")["spec"]["template"]["metadata"][
                "annotations"]
            # Helm hashes the rendered configmap.yaml text; the printed stream has lost its
            # final newline.
            text = source_of(stream, "configmap.yaml")
            candidates = {hashlib.sha256(t.encode()).hexdigest() for t in (text, text + "\n")}
            self.assertIn(annotations["checksum/config"], candidates)
            checksums.append(annotations["checksum/config"])
        self.assertNotEqual(checksums[0], checksums[1])

    def test_config_map_carries_the_exporter_config(self):
        name = "release-name-freshness-exporter"
        config = yaml.safe_load(self.full[("ConfigMap", name)]["data"]["freshness.yml"])
        # Helm's YAML codec writes dates (holiday keys, valid_through) as quoted strings; the
        # exporter reads scalars as text either way.
        self.assertEqual(config, dates_as_text(self.demo_config))
        default = yaml.safe_load(self.default[("ConfigMap", name)]["data"]["freshness.yml"])
        self.assertEqual(default["targets"], {})
        self.assertEqual(default["checks"], [])
        volumes = self.one(self.full, "Deployment")["spec"]["template"]["spec"]["volumes"]
        self.assertIn({"name": "config", "configMap": {"name": name}}, volumes)

    def test_dsn_from_existing_secret(self):
        self.assertNotIn("env", self.container(self.default))
        env = {e["name"]: e for e in self.container(self.full)["env"]}
        self.assertEqual(env["DEMO_DSN"]["valueFrom"]["secretKeyRef"],
                         {"name": "pipeline-dsn", "key": "dsn"})
        self.assertEqual(env["OTHER_DSN"]["valueFrom"]["secretKeyRef"],
                         {"name": "other-db", "key": "url"})
        for e in env.values():
            self.assertNotIn("value", e, "a secret must never be inline")
        mounts = {m["name"]: m for m in self.container(self.full)["volumeMounts"]}
        self.assertTrue(mounts["secret-web"]["readOnly"])
        self.assertTrue(mounts["config"]["readOnly"])
        self.assertEqual(mounts["tmp"]["mountPath"], "/tmp")

    def test_pod_disruption_budget_selects_the_pods(self):
        pdb = self.one(self.full, "PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["minAvailable"], 1)
        deployment = self.one(self.full, "Deployment")
        self.assertEqual(pdb["spec"]["selector"], deployment["spec"]["selector"])

    def test_overridden_image_and_replicas(self):
        deployment = self.one(self.full, "Deployment")
        self.assertEqual(deployment["spec"]["replicas"], 2)
        self.assertEqual(self.container(self.full)["image"],
                         "registry.example/freshness-exporter:1.2.3")
        with open(os.path.join(CHART, "Chart.yaml"), encoding="utf-8") as f:
            chart = yaml.safe_load(f)
        self.assertEqual(self.container(self.default)["image"],
                         f"freshness-exporter:{chart['appVersion']}")

    # --- Prometheus Operator objects ------------------------------------------------------

    def test_service_monitor(self):
        sm = self.one(self.full, "ServiceMonitor")
        self.assertEqual(sm["metadata"]["labels"]["release"], "kube-prometheus-stack")
        service = self.one(self.full, "Service")
        self.assertLessEqual(sm["spec"]["selector"]["matchLabels"].items(),
                             service["metadata"]["labels"].items())
        (endpoint,) = sm["spec"]["endpoints"]
        self.assertEqual(endpoint["port"], "http-metrics")
        self.assertIn({"action": "replace", "targetLabel": "job",
                       "replacement": "freshness_exporter"}, endpoint["relabelings"])

    def test_prometheus_rule_carries_every_rule_of_rules_dir(self):
        rule = self.one(self.full, "PrometheusRule")
        self.assertEqual(rule["metadata"]["labels"]["release"], "kube-prometheus-stack")
        expected = []
        bundle = [p for p in lib.rule_files() if os.path.dirname(p) == lib.RULES_DIR]
        self.assertTrue(bundle, "no rule files in rules/")
        for path in bundle:  # the chart's template globs files/rules/*.rules.yml
            self.assertTrue(path.endswith(".rules.yml"), f"{path}: not picked up by the chart")
        for path in bundle:
            with open(path, encoding="utf-8") as f:
                expected += yaml.safe_load(f)["groups"]
        self.assertEqual(sorted(g["name"] for g in rule["spec"]["groups"]),
                         sorted(g["name"] for g in expected))
        by_name = {g["name"]: g for g in rule["spec"]["groups"]}
        for group in expected:
            # Same rules, same order, every field identical: expressions, `for`, labels and
            # the annotation templates ({{ $labels.check }}) untouched by Helm.
            self.assertEqual(by_name[group["name"]], group)
        self.assertIn("{{ $labels.check }}", source_of(self.full_stream, "prometheusrule.yaml"))

    def test_prometheus_rule_passes_promtool(self):
        promtool = lib.require_tool("promtool")
        rule = self.one(self.full, "PrometheusRule")
        path = os.path.join(self.workdir, "prometheusrule.rules.yml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump({"groups": rule["spec"]["groups"]}, f, sort_keys=False)
        result = subprocess.run([promtool, "check", "rules", path], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        count = sum(len(g["rules"]) for g in rule["spec"]["groups"])
        self.assertIn(f"{count} rules found", result.stdout)

    # --- dashboards -----------------------------------------------------------------------

    def test_dashboards_config_map(self):
        cm = self.full[("ConfigMap", "release-name-freshness-exporter-dashboards")]
        self.assertEqual(cm["metadata"]["namespace"], "monitoring")
        self.assertEqual(cm["metadata"]["labels"]["grafana_dashboard"], "1")
        files = lib.dashboard_files()
        self.assertEqual(sorted(cm["data"]), sorted(os.path.basename(p) for p in files))
        for path in files:
            with open(path, encoding="utf-8") as f:
                self.assertEqual(cm["data"][os.path.basename(path)], f.read())

    # --- values.schema.json and NOTES -----------------------------------------------------

    def test_schema_rejects_bad_values(self):
        cases = {
            "unknown key": {"replicas": 2},
            "wrong type": {"replicaCount": "two"},
            "bad log level": {"log": {"level": "verbose"}},
            "secret env without key": {"extraSecretEnv": [{"name": "X", "secretName": "s"}]},
            "bad port": {"service": {"port": 70000}},
        }
        for name, values in cases.items():
            path = os.path.join(self.workdir, "bad.yaml")
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump(values, f)
            with self.subTest(case=name):
                result = self.renderer.run("template", [path])
                self.assertNotEqual(result.returncode, 0, result.stdout)
                self.assertIn("schema", result.stderr)

    def test_notes(self):
        if self.renderer.helm:  # helm template does not print NOTES.txt; install does
            output = subprocess.run([self.renderer.helm, "install", "release-name", CHART,
                                     "--dry-run=client", "--namespace", "default"],
                                    capture_output=True, text=True).stdout
        else:
            output = self.renderer.template(extra=["--notes"])
        self.assertIn("port-forward svc/release-name-freshness-exporter 9560", output)
        self.assertIn("dsn.existingSecret is empty", output)


if __name__ == "__main__":
    unittest.main(verbosity=2)
