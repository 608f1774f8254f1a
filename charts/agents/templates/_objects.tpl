{{/*
Objects both components render the same way. Each takes
(dict "context" $ "component" "control-plane"|"controllers" "values" <component values> "name" <object name>
      "serviceAccountName" <name>).
The per-component files under control-plane/ and controllers/ include them.
*/}}

{{- define "agents.serviceAccount" -}}
{{- if .values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .serviceAccountName }}
  namespace: {{ (include "agents.namespace" .context) }}
  labels:
    {{- include "agents.labels" . | nindent 4 }}
  {{- with .values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "agents.hpa" -}}
{{- $a := .values.autoscaling -}}
{{- if $a.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  namespace: {{ (include "agents.namespace" .context) }}
  labels:
    {{- include "agents.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- if not (kindIs "invalid" $a.targetCPUUtilizationPercentage) }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- end }}
    {{- if not (kindIs "invalid" $a.targetMemoryUtilizationPercentage) }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $a.targetMemoryUtilizationPercentage }}
    {{- end }}
{{- end }}
{{- end -}}

{{- define "agents.pdb" -}}
{{- $p := .values.podDisruptionBudget -}}
{{- if $p.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  namespace: {{ (include "agents.namespace" .context) }}
  labels:
    {{- include "agents.labels" . | nindent 4 }}
  {{- with $p.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if not (eq (toString $p.maxUnavailable) "") }}
  maxUnavailable: {{ $p.maxUnavailable }}
  {{- else }}
  minAvailable: {{ $p.minAvailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "agents.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/*
NetworkPolicy: networkPolicy.ingress as given, or else ingress to the listed ports from networkPolicy.ingressFrom (any
source when empty); policyTypes as given, or else Ingress plus Egress when there are egress rules.
*/}}
{{- define "agents.networkPolicy" -}}
{{- $np := .context.Values.networkPolicy -}}
{{- if $np.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  namespace: {{ (include "agents.namespace" .context) }}
  labels:
    {{- include "agents.labels" . | nindent 4 }}
  {{- with $np.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  podSelector:
    matchLabels:
      {{- include "agents.selectorLabels" . | nindent 6 }}
  policyTypes:
    {{- if $np.policyTypes }}
    {{- toYaml $np.policyTypes | nindent 4 }}
    {{- else }}
    - Ingress
    {{- if $np.egress }}
    - Egress
    {{- end }}
    {{- end }}
  ingress:
    {{- if $np.ingress }}
    {{- toYaml $np.ingress | nindent 4 }}
    {{- else }}
    - ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
      {{- with $np.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
  {{- with $np.egress }}
  egress:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "agents.metricsService" -}}
{{- $m := .context.Values.metrics -}}
{{- if and $m.enabled $m.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "agents.suffixed" (list .name "metrics") }}
  namespace: {{ (include "agents.namespace" .context) }}
  labels:
    {{- include "agents.labels" . | nindent 4 }}
    agents.proompteng.ai/metrics: "true"
    {{- with $m.service.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $m.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $m.service.type }}
  selector:
    {{- include "agents.selectorLabels" . | nindent 4 }}
  ports:
    - name: metrics
      port: {{ $m.service.port }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- end -}}

{{- define "agents.serviceMonitor" -}}
{{- $m := .context.Values.metrics -}}
{{- $sm := $m.serviceMonitor -}}
{{- if and $m.enabled $m.service.enabled $sm.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .name }}
  namespace: {{ default (include "agents.namespace" .context) $sm.namespace }}
  labels:
    {{- include "agents.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $sm.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  namespaceSelector:
    matchNames:
      - {{ (include "agents.namespace" .context) }}
  selector:
    matchLabels:
      {{- include "agents.selectorLabels" . | nindent 6 }}
      agents.proompteng.ai/metrics: "true"
  endpoints:
    - port: metrics
      path: {{ $m.path }}
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
      honorLabels: {{ $sm.honorLabels }}
      {{- with $sm.relabelings }}
      relabelings:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $sm.metricRelabelings }}
      metricRelabelings:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
{{- end -}}
