// Command helmrender renders a Helm 3 chart the way `helm template` does, for machines without
// the helm binary (Debian does not package it). It is built from Debian's Go packages: Go's
// text/template, Masterminds/sprig (the function library Helm uses), sigs.k8s.io/yaml (Helm's
// YAML codec: YAML->JSON->Go, so toYaml/fromYaml behave the same) and xeipuuv/gojsonschema (the
// JSON Schema validator Helm 3 uses for values.schema.json).
//
// What it reproduces from Helm's engine: the template set named <chart>/templates/<file>,
// partials (files starting with "_") that render nothing, missingkey=zero with "<no value>"
// removed, sprig's text functions minus env/expandenv, Helm's own functions (include, tpl,
// required, toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray, lookup -> empty),
// the kubeVersion constraint of Chart.yaml, the built-in objects (.Values, .Release, .Chart,
// .Capabilities, .Files with Get/GetBytes/Glob/Lines/AsConfig/AsSecrets, .Template), value
// coalescing (-f files in order over values.yaml,
// null deletes a key), values.schema.json validation, .helmignore (simple patterns) and
// symlinks followed when the chart is loaded from a directory.
// What it does not: subcharts and dependencies, library charts, `lookup` against a cluster,
// --set parsing, hooks ordering. Files.Glob uses path.Match (Helm uses gobwas/glob; both treat
// `*` as not crossing "/"; `**` and `{a,b}` are not supported here).
//
// Usage:
//
//	helmrender template CHART_DIR [-f values.yaml]... [--release NAME] [--namespace NS] [--notes]
//	helmrender lint CHART_DIR [-f values.yaml]...
//
// Build it in GOPATH mode against Debian's Go sources (that is why sprig and semver are imported
// without their /v3 suffix: GOPATH mode resolves the Debian directories
// github.com/Masterminds/sprig and github.com/Masterminds/semver):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o helmrender .
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"github.com/Masterminds/sprig"
	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

// ---- chart loading ---------------------------------------------------------------------------

type chart struct {
	dir       string
	metadata  map[string]interface{}
	values    map[string]interface{}
	schema    []byte
	templates map[string]string // relative path (templates/...) -> text
	files     files             // every other file, relative path -> bytes
}

func loadChart(dir string) (*chart, error) {
	c := &chart{dir: dir, templates: map[string]string{}, files: files{}}
	ignore, err := readHelmignore(dir)
	if err != nil {
		return nil, err
	}
	err = walkFollowingSymlinks(dir, "", func(rel string, data []byte) error {
		if ignore.matches(rel) {
			return nil
		}
		switch {
		case rel == "Chart.yaml":
			if err := yaml.Unmarshal(data, &c.metadata); err != nil {
				return fmt.Errorf("Chart.yaml: %w", err)
			}
		case rel == "values.yaml":
			if err := yaml.Unmarshal(data, &c.values); err != nil {
				return fmt.Errorf("values.yaml: %w", err)
			}
		case rel == "values.schema.json":
			c.schema = data
		case strings.HasPrefix(rel, "templates/"):
			c.templates[rel] = string(data)
		case strings.HasPrefix(rel, "charts/"):
			return fmt.Errorf("%s: subcharts are not supported by this renderer", rel)
		default:
			c.files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.metadata == nil {
		return nil, errors.New("Chart.yaml is missing")
	}
	if c.values == nil {
		c.values = map[string]interface{}{}
	}
	return c, nil
}

// walkFollowingSymlinks visits regular files, following symbolic links like Helm's sympath.Walk.
func walkFollowingSymlinks(root, rel string, visit func(rel string, data []byte) error) error {
	full := filepath.Join(root, filepath.FromSlash(rel))
	info, err := os.Stat(full) // follows symlinks
	if err != nil {
		return err
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		return visit(rel, data)
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return err
	}
	for _, entry := range entries {
		child := entry.Name()
		if rel != "" {
			child = rel + "/" + entry.Name()
		}
		if err := walkFollowingSymlinks(root, child, visit); err != nil {
			return err
		}
	}
	return nil
}

type helmignore struct{ patterns []string }

func readHelmignore(dir string) (helmignore, error) {
	data, err := os.ReadFile(filepath.Join(dir, ".helmignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return helmignore{}, nil
	}
	if err != nil {
		return helmignore{}, err
	}
	var h helmignore
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			return h, fmt.Errorf(".helmignore: negated patterns are not supported: %s", line)
		}
		h.patterns = append(h.patterns, line)
	}
	return h, nil
}

func (h helmignore) matches(rel string) bool {
	if rel == ".helmignore" {
		return true
	}
	parts := strings.Split(rel, "/")
	for _, p := range h.patterns {
		dirOnly := strings.HasSuffix(p, "/")
		p = strings.TrimSuffix(p, "/")
		for i := range parts {
			if dirOnly && i == len(parts)-1 {
				continue
			}
			if ok, _ := path.Match(p, parts[i]); ok {
				return true
			}
			if strings.Contains(p, "/") {
				if ok, _ := path.Match(p, strings.Join(parts[:i+1], "/")); ok {
					return true
				}
			}
		}
	}
	return false
}

// ---- .Files ----------------------------------------------------------------------------------

type files map[string][]byte

func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Get(name string) string      { return string(f[name]) }

func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f files) AsConfig() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

func (f files) AsSecrets() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = base64.StdEncoding.EncodeToString(data)
	}
	return toYAML(m)
}

func (f files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(string(f[name]), "\n")
}

// ---- .Capabilities ---------------------------------------------------------------------------

type versionSet []string

func (v versionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type kubeVersion struct{ Version, Major, Minor string }

func (k kubeVersion) String() string     { return k.Version }
func (k kubeVersion) GitVersion() string { return k.Version }

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
	HelmVersion map[string]string
}

// ---- functions -------------------------------------------------------------------------------

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

type renderer struct {
	chartName string
	set       *template.Template
	depth     int
}

const maxIncludeDepth = 1000

func (r *renderer) funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"toToml": func(interface{}) (string, error) {
			return "", errors.New("toToml is not supported by this renderer")
		},
		"include": r.include,
		"tpl":     r.tpl,
		"required": func(message string, value interface{}) (interface{}, error) {
			if value == nil {
				return nil, errors.New(message)
			}
			if s, ok := value.(string); ok && s == "" {
				return nil, errors.New(message)
			}
			return value, nil
		},
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil // `helm template` has no cluster either
		},
	}
	for name, fn := range extra {
		f[name] = fn
	}
	return f
}

func (r *renderer) include(name string, data interface{}) (string, error) {
	if r.depth > maxIncludeDepth {
		return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
	}
	r.depth++
	defer func() { r.depth-- }()
	var buf bytes.Buffer
	if err := r.set.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (r *renderer) tpl(text string, data interface{}) (string, error) {
	clone, err := r.set.Clone()
	if err != nil {
		return "", err
	}
	t, err := clone.New("tpl").Funcs(r.funcMap()).Option("missingkey=zero").Parse(text)
	if err != nil {
		return "", fmt.Errorf("cannot parse template %q: %w", text, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

// ---- values ----------------------------------------------------------------------------------

// coalesce merges user values over chart defaults like Helm: maps merge recursively, a user
// null removes the key, anything else from the user wins.
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range user {
		if v == nil {
			delete(out, k)
			continue
		}
		um, uok := v.(map[string]interface{})
		dm, dok := out[k].(map[string]interface{})
		if uok && dok {
			out[k] = coalesce(um, dm)
		} else {
			out[k] = v
		}
	}
	return out
}

func validateSchema(schema []byte, values map[string]interface{}) error {
	if schema == nil {
		return nil
	}
	valuesJSON, err := json.Marshal(values)
	if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema),
		gojsonschema.NewBytesLoader(valuesJSON))
	if err != nil {
		return fmt.Errorf("values.schema.json: %w", err)
	}
	if !result.Valid() {
		var lines []string
		for _, e := range result.Errors() {
			lines = append(lines, "- "+e.String())
		}
		return fmt.Errorf("values don't meet the specifications of the schema(s) in the "+
			"following chart(s):\n%s:\n%s", "chart", strings.Join(lines, "\n"))
	}
	return nil
}

// ---- rendering -------------------------------------------------------------------------------

type options struct {
	valueFiles []string
	release    string
	namespace  string
	notes      bool
}

type rendered struct {
	name    string
	content string
}

func render(c *chart, opt options) ([]rendered, string, error) {
	user := map[string]interface{}{}
	for _, file := range opt.valueFiles {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, "", err
		}
		var m map[string]interface{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, "", fmt.Errorf("%s: %w", file, err)
		}
		user = mergeMaps(user, m)
	}
	values := coalesce(user, c.values)
	if err := validateSchema(c.schema, values); err != nil {
		return nil, "", err
	}
	name, _ := c.metadata["name"].(string)
	const clusterVersion = "v1.29.0"
	if constraint, ok := c.metadata["kubeVersion"].(string); ok && constraint != "" {
		// As Helm: a chart whose kubeVersion excludes the (default) cluster version fails.
		check, err := semver.NewConstraint(constraint)
		if err != nil {
			return nil, "", fmt.Errorf("Chart.yaml: invalid kubeVersion %q: %w", constraint, err)
		}
		if !check.Check(semver.MustParse(clusterVersion)) {
			return nil, "", fmt.Errorf("chart requires kubeVersion: %s which is incompatible "+
				"with Kubernetes %s", constraint, clusterVersion)
		}
	}
	r := &renderer{chartName: name}
	r.set = template.New("gotpl").Option("missingkey=zero")
	r.set.Funcs(r.funcMap())

	paths := make([]string, 0, len(c.templates))
	for p := range c.templates {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if _, err := r.set.New(name + "/" + p).Parse(c.templates[p]); err != nil {
			return nil, "", fmt.Errorf("parse error in %q: %w", name+"/"+p, err)
		}
	}

	chartObject := map[string]interface{}{}
	for k, v := range c.metadata { // Helm exposes Chart.yaml fields capitalized (.Chart.AppVersion)
		chartObject[strings.ToUpper(k[:1])+k[1:]] = v
	}
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": opt.release, "Namespace": opt.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": chartObject,
		"Capabilities": capabilities{
			KubeVersion: kubeVersion{Version: clusterVersion, Major: "1", Minor: "29"},
			APIVersions: versionSet{"v1", "apps/v1", "batch/v1", "policy/v1",
				"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
				"apiextensions.k8s.io/v1"},
			HelmVersion: map[string]string{"Version": "v3.14.0"},
		},
		"Files": c.files,
	}

	var out []rendered
	notes := ""
	for _, p := range paths {
		base := path.Base(p)
		if strings.HasPrefix(base, "_") {
			continue
		}
		isNotes := base == "NOTES.txt"
		if isNotes && !opt.notes {
			continue
		}
		full := name + "/" + p
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": full, "BasePath": name + "/templates"}
		var buf bytes.Buffer
		if err := r.set.ExecuteTemplate(&buf, full, data); err != nil {
			return nil, "", fmt.Errorf("render error in %q: %w", full, err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if isNotes {
			notes = text
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		out = append(out, rendered{full, text})
	}
	return out, notes, nil
}

func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// ---- lint ------------------------------------------------------------------------------------

var (
	semverPattern = regexp.MustCompile(`^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	dnsName       = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// lint applies the checks of `helm lint` this renderer can make: Chart.yaml fields, values and
// schema, every template renders, every manifest is YAML with apiVersion, kind and a valid name.
func lint(c *chart, opt options) []string {
	var problems []string
	md := c.metadata
	if md["apiVersion"] != "v2" {
		problems = append(problems, "Chart.yaml: apiVersion must be v2")
	}
	if n, _ := md["name"].(string); n == "" || !dnsName.MatchString(n) {
		problems = append(problems, "Chart.yaml: name is required and must be a DNS label")
	} else if abs, _ := filepath.Abs(c.dir); filepath.Base(abs) != n {
		problems = append(problems, "Chart.yaml: directory name must match the chart name")
	}
	if v, _ := md["version"].(string); !semverPattern.MatchString(v) {
		problems = append(problems, "Chart.yaml: version must be a semantic version")
	}
	if t, ok := md["type"]; ok && t != "application" && t != "library" {
		problems = append(problems, "Chart.yaml: type must be application or library")
	}
	if _, ok := md["icon"]; !ok {
		problems = append(problems, "[INFO] Chart.yaml: icon is recommended")
	}
	if c.schema != nil && !json.Valid(c.schema) {
		problems = append(problems, "values.schema.json: not valid JSON")
	}
	opt.notes = true
	manifests, notes, err := render(c, opt)
	if err != nil {
		return append(problems, err.Error())
	}
	if _, ok := c.templates["templates/NOTES.txt"]; ok && strings.TrimSpace(notes) == "" {
		problems = append(problems, "templates/NOTES.txt renders empty")
	}
	for _, m := range manifests {
		for i, doc := range splitDocuments(m.content) {
			var obj map[string]interface{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				problems = append(problems, fmt.Sprintf("%s (document %d): %v", m.name, i, err))
				continue
			}
			if obj == nil {
				continue
			}
			if obj["apiVersion"] == nil || obj["kind"] == nil {
				problems = append(problems, m.name+": apiVersion and kind are required")
			}
			meta, _ := obj["metadata"].(map[string]interface{})
			name, _ := meta["name"].(string)
			if !dnsName.MatchString(name) || len(name) > 253 {
				problems = append(problems, fmt.Sprintf("%s: metadata.name %q is invalid", m.name,
					name))
			}
		}
	}
	return problems
}

func splitDocuments(text string) []string {
	return regexp.MustCompile(`(?m)^---\s*$`).Split(text, -1)
}

// ---- main ------------------------------------------------------------------------------------

func main() {
	if len(os.Args) < 3 || (os.Args[1] != "template" && os.Args[1] != "lint") {
		fmt.Fprintln(os.Stderr, "usage: helmrender template|lint CHART_DIR [-f values.yaml]... "+
			"[--release NAME] [--namespace NS] [--notes]")
		os.Exit(2)
	}
	command, dir := os.Args[1], os.Args[2]
	opt := options{release: "release-name", namespace: "default"}
	args := os.Args[3:]
	for i := 0; i < len(args); i++ {
		next := func() string {
			if i+1 >= len(args) {
				fmt.Fprintf(os.Stderr, "flag %s needs a value\n", args[i])
				os.Exit(2)
			}
			i++
			return args[i]
		}
		switch args[i] {
		case "-f", "--values":
			opt.valueFiles = append(opt.valueFiles, next())
		case "--release":
			opt.release = next()
		case "--namespace", "-n":
			opt.namespace = next()
		case "--notes":
			opt.notes = true
		default:
			fmt.Fprintf(os.Stderr, "unknown argument %s\n", args[i])
			os.Exit(2)
		}
	}
	c, err := loadChart(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	if command == "lint" {
		failed := false
		for _, p := range lint(c, opt) {
			fmt.Println(p)
			if !strings.HasPrefix(p, "[INFO]") {
				failed = true
			}
		}
		if failed {
			fmt.Println("Error: 1 chart(s) linted, 1 chart(s) failed")
			os.Exit(1)
		}
		fmt.Println("1 chart(s) linted, 0 chart(s) failed")
		return
	}
	manifests, notes, err := render(c, opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	for _, m := range manifests {
		fmt.Printf("---\n# Source: %s\n%s\n", m.name, strings.TrimRight(m.content, "\n"))
	}
	if opt.notes && notes != "" {
		fmt.Printf("\nNOTES:\n%s\n", notes)
	}
}
