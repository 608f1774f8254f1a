{{/*
Pieces of the two Deployments' pod templates that only differ by component.
Call with (dict "context" $ "component" "control-plane"|"controllers" "values" <component values>).
*/}}

{{- define "agents.probe" -}}
{{- if .probe.enabled }}
{{ .name }}:
  httpGet:
    path: {{ .probe.path }}
    port: http
  initialDelaySeconds: {{ .probe.initialDelaySeconds }}
  periodSeconds: {{ .probe.periodSeconds }}
  timeoutSeconds: {{ .probe.timeoutSeconds }}
  failureThreshold: {{ .probe.failureThreshold }}
{{- end }}
{{- end -}}

{{- define "agents.podScheduling" -}}
{{- $v := .values -}}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- include "agents.topologySpread" (dict "constraints" . "context" $.context "component" $.component) | nindent 2 }}
{{- end }}
{{- with $v.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- end -}}

{{/*
The pod-level labels and annotations: (dict ... "checksum" <string or "">). rolloutChecksums adds one annotation per
listed Secret/ConfigMap, keyed by a hash of kind, namespace and name, valued with the given checksum.
*/}}
{{- define "agents.podMetadata" -}}
{{- $rollout := dict -}}
{{- $rc := .context.Values.rolloutChecksums -}}
{{- if $rc.enabled -}}
{{- range $kind, $entries := dict "secret" $rc.secrets "configmap" $rc.configMaps -}}
{{- range $entries -}}
{{- $id := printf "%s:%s/%s" $kind (default (include "agents.namespace" $.context) .namespace) .name -}}
{{- $_ := set $rollout (printf "agents.proompteng.ai/checksum-%s-%s" $kind (sha256sum $id | trunc 24)) .checksum -}}
{{- end -}}
{{- end -}}
{{- end -}}
labels:
  {{- include "agents.labels" (dict "context" .context "component" .component) | nindent 2 }}
  {{- with .values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or .checksum .values.podAnnotations $rollout }}
annotations:
  {{- with .checksum }}
  checksum/config: {{ . }}
  {{- end }}
  {{- with $rollout }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- with .values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Deployment strategy, or nothing. Recreate takes no rollingUpdate (the default one would make it invalid). */}}
{{- define "agents.strategy" -}}
{{- with .strategy }}
{{- $s := deepCopy . }}
{{- if eq (toString $s.type) "Recreate" }}
{{- $_ := unset $s "rollingUpdate" }}
{{- end }}
strategy:
  {{- toYaml $s | nindent 2 }}
{{- end }}
{{- end -}}
