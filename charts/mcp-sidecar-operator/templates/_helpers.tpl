{{/* Name of the chart's objects: the release name, or <release>-mcp-sidecar-operator when it lacks "mcp". */}}
{{- define "mso.fullname" -}}
{{- if contains "mcp" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-mcp-sidecar-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mso.selectorLabels" -}}
app.kubernetes.io/name: mcp-sidecar-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "mso.labels" -}}
{{ include "mso.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: mcp-sidecar-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "mso.serviceAccountName" -}}
{{- default (include "mso.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "mso.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository .Values.operator.image.tag -}}
{{- end -}}

{{- define "mso.bridgeImage" -}}
{{- printf "%s:%s" .Values.bridge.image.repository .Values.bridge.image.tag -}}
{{- end -}}

{{/*
The rules of the object of kind .kind in files/rbac.yaml (a byte-identical copy of operator/rbac.yaml,
the single source of truth for the operator's permissions). Fails when the kind is missing.
*/}}
{{- define "mso.rbacRules" -}}
{{- $found := false -}}
{{- range $doc := splitList "\n---" (.root.Files.Get "files/rbac.yaml") -}}
{{- $obj := fromYaml $doc -}}
{{- if and (not $found) (eq (get $obj "kind" | toString) $.kind) -}}
{{- $found = true -}}
{{- toYaml (get $obj "rules") -}}
{{- end -}}
{{- end -}}
{{- if not $found -}}
{{- fail (printf "files/rbac.yaml has no %s" .kind) -}}
{{- end -}}
{{- end -}}
