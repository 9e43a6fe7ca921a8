{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "freshness-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, plus the chart name unless it contains it. */}}
{{- define "freshness-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "freshness-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "freshness-exporter.labels" -}}
helm.sh/chart: {{ include "freshness-exporter.chart" . }}
{{ include "freshness-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: freshness-exporter
{{- end }}

{{/* Labels the Deployment selects its pods by (immutable after install). */}}
{{- define "freshness-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "freshness-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "freshness-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "freshness-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: [registry/]repository, then @digest when image.digest is set (a digest pins
the exact image and wins over the tag), else :tag (default: the chart's appVersion).
global.imageRegistry (set by a parent chart) wins over image.registry.
*/}}
{{- define "freshness-exporter.image" -}}
{{- $global := .Values.global | default dict }}
{{- $registry := $global.imageRegistry | default .Values.image.registry }}
{{- $repository := .Values.image.repository }}
{{- if $registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Pull secrets: global.imagePullSecrets (a parent chart's) and imagePullSecrets. */}}
{{- define "freshness-exporter.imagePullSecrets" -}}
{{- $global := .Values.global | default dict }}
{{- $secrets := list }}
{{- range concat ($global.imagePullSecrets | default list) (.Values.imagePullSecrets | default list) }}
{{- $entry := . }}
{{- if kindIs "string" . }}
{{- $entry = dict "name" . }}
{{- end }}
{{- if not (has $entry $secrets) }}
{{- $secrets = append $secrets $entry }}
{{- end }}
{{- end }}
{{- if $secrets }}
{{- toYaml $secrets }}
{{- end }}
{{- end }}

{{/* Where the web configuration (--web.config.file) and its certificate files are mounted. */}}
{{- define "freshness-exporter.webConfigDir" -}}
/run/secrets/freshness-exporter/web
{{- end }}

{{/* HTTPS when the web configuration enables TLS. */}}
{{- define "freshness-exporter.scheme" -}}
{{- if .Values.webConfig.tls.enabled }}https{{ else }}http{{ end }}
{{- end }}
