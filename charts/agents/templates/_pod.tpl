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

{{/* The pod-level labels and annotations: (dict ... "checksum" <string or "">). */}}
{{- define "agents.podMetadata" -}}
labels:
  {{- include "agents.labels" (dict "context" .context "component" .component) | nindent 2 }}
  {{- with .values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or .checksum .values.podAnnotations }}
annotations:
  {{- with .checksum }}
  checksum/config: {{ . }}
  {{- end }}
  {{- with .values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Deployment strategy, or nothing. */}}
{{- define "agents.strategy" -}}
{{- with .strategy }}
strategy:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
