#!/usr/bin/env python3
"""Renders helm/freshness-exporter with default and overridden values and checks the result.

With `helm` on PATH the chart is linted and rendered by helm itself. Without it (Debian does not
package helm) it is rendered by tests/deploy/helmrender, a small `helm template` built from
Debian's Go packages: text/template, sprig, sigs.k8s.io/yaml and gojsonschema, the libraries Helm
itself uses (see its header for what it reproduces). The overridden values use the demo's
exporter configuration (examples/demo/freshness.yml), and the PrometheusRule's groups are
compared with rules/ and checked with `promtool check rules`.

Every helm/freshness-exporter/ci/*-values.yaml is linted, rendered (which validates it against
values.schema.json) and its objects asserted; its exporter configuration passes the exporter's
--config.check. The PrometheusRule's post-processing (disabled alerts, additional labels,
runbook URLs, overrides) is compared with what the jsonnet mixin renders for the same _config.

usage: helm_chart_test.py EXPORTER_BINARY
"""
import datetime
import glob
import hashlib
import json
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
CI_DIR = os.path.join(CHART, "ci")
EXPORTER = None  # set from the command line
WEB_DIR = "/run/secrets/freshness-exporter/web"
DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"


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


def alerts_of(groups):
    return {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}


def records_of(groups):
    return [r["record"] for g in groups for r in g["rules"] if "record" in r]


def bundle_groups():
    """The groups of rules/*.rules.yml, the files the chart's PrometheusRule is made of."""
    groups = []
    for path in sorted(glob.glob(os.path.join(lib.RULES_DIR, "*.rules.yml"))):
        with open(path, encoding="utf-8") as f:
            groups += yaml.safe_load(f)["groups"]
    return groups


def mixin_groups(config):
    """What the jsonnet mixin renders (recording rules and alerts) with these _config overrides."""
    jsonnet = lib.require_tool("jsonnet")
    program = ("local m = (import 'mixin.libsonnet') + {_config+:: %s};"
               " {groups: m.prometheusRules.groups + m.prometheusAlerts.groups}" % json.dumps(config))
    result = subprocess.run([jsonnet, "-J", os.path.join(lib.ROOT, "mixin"), "-e", program],
                            capture_output=True, text=True, cwd=os.path.join(lib.ROOT, "mixin"))
    if result.returncode:
        raise AssertionError("jsonnet failed:\n" + result.stderr)
    groups = json.loads(result.stdout)["groups"]
    for group in groups:  # the committed files leave out an empty labels map, as the chart does
        for rule in group["rules"]:
            if rule.get("labels") == {}:
                del rule["labels"]
    return groups


class CiValuesTest(unittest.TestCase):
    """helm/freshness-exporter/ci/*-values.yaml: each one rendered, validated and asserted."""

    maxDiff = None
    EXPECTED = {"minimal", "several-targets", "tls-basic-auth", "digest", "rules-disabled",
                "dashboards"}

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="helm-ci-test-")
        cls.renderer = Renderer(cls.workdir)
        cls.files = {os.path.basename(p)[:-len("-values.yaml")]: p
                     for p in sorted(glob.glob(os.path.join(CI_DIR, "*-values.yaml")))}
        cls.rendered = {}
        for name, path in cls.files.items():
            stream = cls.renderer.template([path])
            cls.rendered[name] = (stream, documents(stream)[1])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def values_file(self, values, name="extra.yaml"):
        path = os.path.join(self.workdir, name)
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(values, f)
        return path

    def render(self, ci_name, extra=None):
        files = [self.files[ci_name]] if ci_name else []
        if extra is not None:
            files.append(self.values_file(extra))
        return documents(self.renderer.template(files))[1]

    def failure(self, ci_name, extra):
        files = [self.files[ci_name]] if ci_name else []
        result = self.renderer.run("template", files + [self.values_file(extra)])
        self.assertNotEqual(result.returncode, 0, f"rendered although it should fail: {extra}")
        return result.stderr

    @staticmethod
    def kind(docs, kind):
        return [d for d in docs if d["kind"] == kind]

    def one(self, docs, kind):
        found = self.kind(docs, kind)
        self.assertEqual(len(found), 1, f"expected one {kind}, got {len(found)}")
        return found[0]

    def container(self, docs):
        (container,) = self.one(docs, "Deployment")["spec"]["template"]["spec"]["containers"]
        return container

    # --- every file ------------------------------------------------------------------------

    def test_the_ci_files(self):
        self.assertEqual(set(self.files), self.EXPECTED)

    def test_every_file_lints(self):
        for name, path in self.files.items():
            with self.subTest(values=name):
                result = self.renderer.run("lint", [path])
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_every_file_is_checked_against_the_schema(self):
        """Rendering validates against values.schema.json; a file that breaks it is refused."""
        for name, path in self.files.items():
            with open(path, encoding="utf-8") as f:
                values = yaml.safe_load(f)
            values["unknownKey"] = True
            bad = self.values_file(values, f"bad-{name}.yaml")
            with self.subTest(values=name):
                result = self.renderer.run("template", [bad])
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("schema", result.stderr)

    def test_every_exporter_config_passes_config_check(self):
        if not EXPORTER:
            self.fail("usage: helm_chart_test.py EXPORTER_BINARY")
        for name, (_, docs) in self.rendered.items():
            config_map = [d for d in self.kind(docs, "ConfigMap") if "freshness.yml" in d["data"]]
            self.assertEqual(len(config_map), 1, name)
            path = os.path.join(self.workdir, f"{name}.freshness.yml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(config_map[0]["data"]["freshness.yml"])
            with self.subTest(values=name):
                result = subprocess.run([EXPORTER, f"--config.file={path}", "--config.check"],
                                        capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_no_demo_thresholds_anywhere(self):
        """Thresholds come from each check's config; the chart adds no threshold rules."""
        for name, (_, docs) in self.rendered.items():
            for rule in self.kind(docs, "PrometheusRule"):
                with self.subTest(values=name):
                    records = records_of(rule["spec"]["groups"])
                    self.assertEqual(sorted(records), sorted(records_of(bundle_groups())))
                    self.assertFalse([r for r in records if r.endswith("threshold_override")])

    # --- minimal ---------------------------------------------------------------------------

    def test_minimal(self):
        docs = self.rendered["minimal"][1]
        self.assertEqual(sorted(d["kind"] for d in docs),
                         ["ConfigMap", "Deployment", "Service", "ServiceAccount"])
        c = self.container(docs)
        self.assertEqual(c["image"], "registry.example.com/freshness-exporter:0.1.0")
        self.assertEqual({e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"]},
                         {"PIPELINE_DSN": {"name": "pipeline-dsn", "key": "dsn"}})
        self.assertFalse([a for a in c["args"] if a.startswith("--web.config.file")])
        self.assertEqual(c["livenessProbe"]["httpGet"]["scheme"], "HTTP")
        self.assertEqual(c["readinessProbe"]["httpGet"]["scheme"], "HTTP")

    # --- several targets -------------------------------------------------------------------

    def test_several_targets(self):
        docs = self.rendered["several-targets"][1]
        c = self.container(docs)
        env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"]}
        self.assertEqual(env, {"ORDERS_DSN": {"name": "orders-db", "key": "dsn"},
                               "LEDGER_DSN": {"name": "ledger-db", "key": "dsn"}})
        config = yaml.safe_load(
            [d for d in self.kind(docs, "ConfigMap")][0]["data"]["freshness.yml"])
        self.assertEqual(sorted(config["targets"]), ["ledger", "orders", "reporting"])
        mount = {m["name"]: m for m in c["volumeMounts"]}["secret-reporting-dsn"]
        self.assertTrue(mount["readOnly"])
        self.assertEqual(os.path.dirname(config["targets"]["reporting"]["dsn_file"]),
                         mount["mountPath"])
        pod = self.one(docs, "Deployment")["spec"]["template"]["spec"]
        self.assertIn({"name": "secret-reporting-dsn",
                       "secret": {"secretName": "reporting-db", "defaultMode": 0o440}},
                      pod["volumes"])
        self.assertEqual(self.one(docs, "Deployment")["spec"]["replicas"], 2)
        self.assertEqual(self.one(docs, "PodDisruptionBudget")["spec"]["minAvailable"], 1)
        self.assertEqual(pod["topologySpreadConstraints"][0]["topologyKey"],
                         "kubernetes.io/hostname")
        self.assertEqual(self.one(docs, "ServiceMonitor")["spec"]["endpoints"][0]["scheme"],
                         "http")

    # --- TLS and basic auth ----------------------------------------------------------------

    def test_tls_and_basic_auth_end_to_end(self):
        docs = self.rendered["tls-basic-auth"][1]
        pod = self.one(docs, "Deployment")["spec"]["template"]["spec"]
        c = self.container(docs)
        # The volume: the web configuration file and the cert-manager Secret's files beside it.
        volume = {v["name"]: v for v in pod["volumes"]}["web-config"]
        self.assertEqual(volume["projected"]["sources"], [
            {"secret": {"name": "freshness-web",
                        "items": [{"key": "web-config.yml", "path": "web-config.yml"}]}},
            {"secret": {"name": "freshness-tls",
                        "items": [{"key": "tls.crt", "path": "tls.crt"},
                                  {"key": "tls.key", "path": "tls.key"}]}},
        ])
        # The mount and the flag.
        mount = {m["name"]: m for m in c["volumeMounts"]}["web-config"]
        self.assertEqual(mount, {"name": "web-config", "mountPath": WEB_DIR, "readOnly": True})
        self.assertIn(f"--web.config.file={WEB_DIR}/web-config.yml", c["args"])
        self.assertFalse(any(m["mountPath"].startswith("/etc/freshness-exporter/")
                             for m in c["volumeMounts"]),
                         "nothing is mounted inside the read-only config mount")
        # The probes: HTTPS, authenticated as the probe user.
        for probe, path in (("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")):
            get = c[probe]["httpGet"]
            self.assertEqual((get["path"], get["scheme"], get["port"]),
                             (path, "HTTPS", "http-metrics"))
            self.assertEqual([h["name"] for h in get["httpHeaders"]], ["Authorization"])
        # The ServiceMonitor: HTTPS with the CA, and Prometheus' own credentials.
        (endpoint,) = self.one(docs, "ServiceMonitor")["spec"]["endpoints"]
        self.assertEqual(endpoint["scheme"], "https")
        self.assertEqual(endpoint["tlsConfig"], {
            "ca": {"secret": {"name": "freshness-tls", "key": "ca.crt"}},
            "serverName": "freshness-exporter.monitoring.svc"})
        self.assertEqual(endpoint["basicAuth"], {
            "username": {"name": "freshness-scrape", "key": "username"},
            "password": {"name": "freshness-scrape", "key": "password"}})

    def test_basic_auth_without_probe_headers_probes_the_port(self):
        docs = self.render("tls-basic-auth", {"webConfig": {"basicAuth": {"probeHttpHeaders": []}}})
        c = self.container(docs)
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertEqual(c[probe]["tcpSocket"], {"port": "http-metrics"})
            self.assertNotIn("httpGet", c[probe])

    def test_tls_only(self):
        docs = self.render("minimal", {
            "webConfig": {"existingSecret": "freshness-web", "tls": {"enabled": True}},
            "serviceMonitor": {"enabled": True}})
        c = self.container(docs)
        pod = self.one(docs, "Deployment")["spec"]["template"]["spec"]
        # Without a TLS Secret, every key of the web Secret (certificate files included).
        volume = {v["name"]: v for v in pod["volumes"]}["web-config"]
        self.assertEqual(volume["projected"]["sources"], [{"secret": {"name": "freshness-web"}}])
        self.assertEqual(c["livenessProbe"]["httpGet"]["scheme"], "HTTPS")
        self.assertEqual(c["readinessProbe"]["httpGet"]["scheme"], "HTTPS")
        self.assertNotIn("httpHeaders", c["readinessProbe"]["httpGet"])
        (endpoint,) = self.one(docs, "ServiceMonitor")["spec"]["endpoints"]
        self.assertEqual(endpoint["scheme"], "https")
        self.assertNotIn("basicAuth", endpoint)

    def test_web_config_mistakes_fail_clearly(self):
        self.assertIn("webConfig.existingSecret",
                      self.failure("minimal", {"webConfig": {"tls": {"enabled": True}}}))
        self.assertIn("serviceMonitor.basicAuth", self.failure("minimal", {
            "webConfig": {"existingSecret": "w", "basicAuth": {"enabled": True}},
            "serviceMonitor": {"enabled": True}}))
        self.assertIn("use one of them", self.failure("minimal", {
            "webConfig": {"existingSecret": "w"},
            "extraArgs": ["--web.config.file=/elsewhere/web.yml"]}))
        self.assertIn("webConfig.tls.enabled is false", self.failure("minimal", {
            "webConfig": {"existingSecret": "w", "tls": {"existingSecret": "t"}}}))

    # --- image -----------------------------------------------------------------------------

    def test_digest_wins_over_the_tag(self):
        docs = self.rendered["digest"][1]
        c = self.container(docs)
        self.assertEqual(c["image"],
                         f"registry.example.com:5000/platform/freshness-exporter@{DIGEST}")
        pod = self.one(docs, "Deployment")["spec"]["template"]["spec"]
        self.assertEqual(pod["imagePullSecrets"], [{"name": "registry-credentials"}])

    def test_global_image_registry_and_pull_secrets(self):
        docs = self.render("digest", {"global": {
            "imageRegistry": "mirror.internal", "imagePullSecrets": ["mirror-pull", {"name": "registry-credentials"}],
            "storageClass": "fast", "anyParentKey": {"nested": True}}})
        self.assertEqual(self.container(docs)["image"],
                         f"mirror.internal/platform/freshness-exporter@{DIGEST}")
        pod = self.one(docs, "Deployment")["spec"]["template"]["spec"]
        self.assertEqual(pod["imagePullSecrets"],
                         [{"name": "mirror-pull"}, {"name": "registry-credentials"}])
        docs = self.render("minimal", {"image": {"registry": "registry.example.org",
                                                 "repository": "freshness-exporter"}})
        self.assertEqual(self.container(docs)["image"],
                         "registry.example.org/freshness-exporter:0.1.0")

    def test_schema_rejects_bad_image_and_rule_values(self):
        cases = {
            "short digest": {"image": {"digest": "sha256:abc"}},
            "digest without algorithm": {"image": {"digest": DIGEST[len("sha256:"):]}},
            "tag with a colon": {"image": {"tag": "1.0:latest"}},
            "severity as additional label": {"prometheusRule": {
                "additionalLabels": {"severity": "page"}}},
            "runbook pattern without %s": {"prometheusRule": {"runbookUrl": "https://x/y"}},
            "bad override duration": {"prometheusRule": {
                "alertOverrides": {"FreshnessExporterDown": {"for": "five minutes"}}}},
            "unknown override field": {"prometheusRule": {
                "alertOverrides": {"FreshnessExporterDown": {"expr": "vector(1)"}}}},
            "basic auth without password": {"serviceMonitor": {
                "basicAuth": {"username": {"name": "s", "key": "u"}}}},
        }
        for name, values in cases.items():
            with self.subTest(case=name):
                self.assertIn("schema", self.failure(None, values))

    # --- rules -----------------------------------------------------------------------------

    def test_rules_disabled_removes_the_prometheus_rule(self):
        stream, docs = self.rendered["rules-disabled"]
        self.assertEqual(self.kind(docs, "PrometheusRule"), [])
        self.assertNotIn("PrometheusRule", stream)
        self.assertNotIn("freshness:exporter:healthy", stream)
        self.assertEqual(len(self.kind(docs, "ServiceMonitor")), 1)
        self.assertEqual([d["metadata"]["name"] for d in self.kind(docs, "ConfigMap")],
                         ["release-name-freshness-exporter"])

    def tuned_rule(self):
        stream, docs = self.rendered["dashboards"]
        return stream, self.one(docs, "PrometheusRule")

    def test_tuned_rules(self):
        _, rule = self.tuned_rule()
        self.assertEqual(rule["metadata"]["labels"]["release"], "kube-prometheus-stack")
        groups = rule["spec"]["groups"]
        alerts = alerts_of(groups)
        bundle = alerts_of(bundle_groups())
        # The disabled alert is gone, every other one is there; recording rules all stay.
        self.assertNotIn("FreshnessCalendarExpiring", alerts)
        self.assertEqual(set(alerts), set(bundle) - {"FreshnessCalendarExpiring"})
        self.assertEqual(records_of(groups), records_of(bundle_groups()))
        for name, alert in alerts.items():
            with self.subTest(alert=name):
                # additionalLabels on every alert.
                self.assertEqual(alert["labels"]["team"], "data-platform")
                self.assertEqual(alert["labels"]["tier"], "pipelines")
                # The runbook URL rewritten.
                self.assertEqual(alert["annotations"]["runbook_url"],
                                 "https://git.example.com/platform/freshness_exporter/blob/main/"
                                 f"docs/runbooks.md#{name.lower()}")
                # An alert that reads its own ALERTS back ignores the additional labels there.
                if "ALERTS{" in alert["expr"]:
                    self.assertNotIn("max without (alertname, alertstate) (ALERTS", alert["expr"])
                    self.assertIn("max without (alertname, alertstate, team, tier) (ALERTS",
                                  alert["expr"])
        # The overrides: for and severity of a static-severity alert, keep_firing_for of a data
        # alert, which keeps its tier-derived severity (no static label).
        self.assertEqual(bundle["FreshnessExporterDown"]["for"], "2m")
        self.assertEqual(alerts["FreshnessExporterDown"]["for"], "5m")
        self.assertEqual(alerts["FreshnessExporterDown"]["labels"]["severity"], "warning")
        self.assertEqual(alerts["FreshnessLagHigh"]["keep_firing_for"], "10m")
        self.assertNotIn("severity", alerts["FreshnessLagHigh"]["labels"])
        self.assertEqual(alerts["FreshnessLagHigh"]["for"], bundle["FreshnessLagHigh"]["for"])
        # Untouched alerts keep their durations and severity.
        self.assertEqual(alerts["FreshnessExporterAbsent"]["for"],
                         bundle["FreshnessExporterAbsent"]["for"])
        self.assertEqual(alerts["Watchdog"]["labels"]["severity"], "none")

    def test_tuned_rules_match_the_mixin(self):
        """The chart's post-processing gives what the mixin's own _config knobs give."""
        _, rule = self.tuned_rule()
        with open(self.files["dashboards"], encoding="utf-8") as f:
            values = yaml.safe_load(f)["prometheusRule"]
        expected = mixin_groups({
            "disabledAlerts": values["disabledAlerts"],
            "additionalLabels": values["additionalLabels"],
            "alertOverrides": values["alertOverrides"],
            "runbookUrlPattern": values["runbookUrl"],
        })
        self.assertEqual({g["name"]: g for g in rule["spec"]["groups"]},
                         {g["name"]: g for g in expected})

    def test_default_rules_match_the_mixin(self):
        docs = self.render("minimal", {"prometheusRule": {"enabled": True}})
        rule = self.one(docs, "PrometheusRule")
        self.assertEqual({g["name"]: g for g in rule["spec"]["groups"]},
                         {g["name"]: g for g in mixin_groups({})})

    def test_tuned_rules_pass_promtool_and_keep_prometheus_templates(self):
        stream, rule = self.tuned_rule()
        promtool = lib.require_tool("promtool")
        path = os.path.join(self.workdir, "tuned.rules.yml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump({"groups": rule["spec"]["groups"]}, f, sort_keys=False)
        result = subprocess.run([promtool, "check", "rules", path], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        text = source_of(stream, "prometheusrule.yaml")
        self.assertIn("{{ $labels.check }}", text)
        self.assertIn("{{ $value | humanizeDuration }}", text)
        bundle = alerts_of(bundle_groups())
        for name, alert in alerts_of(rule["spec"]["groups"]).items():
            self.assertEqual(alert["annotations"]["description"],
                             bundle[name]["annotations"]["description"], name)

    def test_rule_mistakes_fail_clearly(self):
        message = self.failure("dashboards", {"prometheusRule": {"alertOverrides": {
            "FreshnessLagHigh": {"severity": "critical"}}}})
        self.assertIn("prometheusRule.alertOverrides.FreshnessLagHigh.severity", message)
        self.assertIn("no static severity", message)
        for data_alert in ("FreshnessTargetDown", "FreshnessCheckFailing",
                           "FreshnessArtifactOverdue"):
            self.assertIn("no static severity", self.failure("dashboards", {"prometheusRule": {
                "alertOverrides": {data_alert: {"severity": "warning"}}}}))
        self.assertIn("no alert named FreshnessLagHihg", self.failure("dashboards", {
            "prometheusRule": {"disabledAlerts": ["FreshnessLagHihg"]}}))
        self.assertIn("no alert named Nope", self.failure("dashboards", {
            "prometheusRule": {"alertOverrides": {"Nope": {"for": "1m"}}}}))
        self.assertIn("recording rules are always installed", self.failure("dashboards", {
            "prometheusRule": {"disabledAlerts": ["freshness:exporter:healthy"]}}))

    def test_disabling_a_whole_group_drops_it(self):
        names = [r["alert"] for g in bundle_groups() if g["name"] == "freshness-data"
                 for r in g["rules"]]
        docs = self.render("dashboards", {"prometheusRule": {"disabledAlerts": names}})
        groups = self.one(docs, "PrometheusRule")["spec"]["groups"]
        self.assertNotIn("freshness-data", [g["name"] for g in groups])
        self.assertEqual(records_of(groups), records_of(bundle_groups()))

    # --- dashboards ------------------------------------------------------------------------

    def test_dashboards_config_map(self):
        docs = self.rendered["dashboards"][1]
        (cm,) = [d for d in self.kind(docs, "ConfigMap")
                 if d["metadata"]["name"].endswith("-dashboards")]
        self.assertEqual(cm["metadata"]["namespace"], "monitoring")
        self.assertEqual(cm["metadata"]["labels"]["grafana_dashboard"], "1")
        self.assertEqual(cm["metadata"]["annotations"]["grafana_folder"], "Data pipelines")
        files = lib.dashboard_files()
        self.assertTrue(files)
        self.assertEqual(sorted(cm["data"]), sorted(os.path.basename(p) for p in files))
        for path in files:
            with open(path, encoding="utf-8") as f:
                self.assertEqual(cm["data"][os.path.basename(path)], f.read())


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        EXPORTER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
