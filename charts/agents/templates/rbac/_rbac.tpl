{{/*
agents.rbac (dict "context" $c "component" "control-plane"|"controllers" "key" "controlPlane"|"controllers"
                  "name" <namespaced object name> "clusterName" <cluster-scoped object name>
                  "serviceAccountName" <name>)

Renders one component's RBAC from files/rbac-rules.yaml:
  - namespaced rules: a Role + RoleBinding in the release namespace (rbac.clusterScoped=false), or a ClusterRole bound
    by one RoleBinding per watched namespace, or by a ClusterRoleBinding when a controller watches "*";
  - cluster rules (+ allNamespaces rules for "*"): a ClusterRole + ClusterRoleBinding, always;
  - leaderElection rules: a Role + RoleBinding in the Lease namespace (<name>-leader-election for the controllers,
    which hold the Lease; <name>-lease-reader for the control plane, which reads it).
*/}}
{{- define "agents.rbac" -}}
{{- $c := .context -}}
{{- $args := . -}}
{{- $watched := include "agents.watchedNamespaces" $c | fromJsonArray -}}
{{- $all := has "*" $watched -}}
{{- $labels := include "agents.labels" . -}}
{{- $subject := printf "subjects:\n  - kind: ServiceAccount\n    name: %s\n    namespace: %s" .serviceAccountName (include "agents.namespace" $c) -}}
{{- $namespaced := include "agents.rules" (dict "context" $c "component" .key "section" "namespaced") -}}
{{- if not $c.Values.rbac.clusterScoped }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ .name }}
  namespace: {{ (include "agents.namespace" $c) }}
  labels:
    {{- $labels | nindent 4 }}
rules:
  {{- $namespaced | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ .name }}
  namespace: {{ (include "agents.namespace" $c) }}
  labels:
    {{- $labels | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ .name }}
{{ $subject }}
{{- else }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .clusterName }}
  labels:
    {{- $labels | nindent 4 }}
rules:
  {{- $namespaced | nindent 2 }}
{{- if $all }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .clusterName }}
  labels:
    {{- $labels | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .clusterName }}
{{ $subject }}
{{- else }}
{{- range $ns := $watched }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $args.name }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $args.clusterName }}
{{ $subject }}
{{- end }}
{{- end }}
{{- end }}
{{- $cluster := include "agents.rules" (dict "context" $c "component" .key "section" "cluster") | fromYamlArray -}}
{{- if $all -}}
{{- $cluster = concat $cluster (include "agents.rules" (dict "context" $c "component" .key "section" "allNamespaces") | fromYamlArray) -}}
{{- end }}
{{- if $cluster }}
{{- $clusterWide := include "agents.suffixed" (list .clusterName "cluster") }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $clusterWide }}
  labels:
    {{- $labels | nindent 4 }}
rules:
  {{- toYaml $cluster | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $clusterWide }}
  labels:
    {{- $labels | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $clusterWide }}
{{ $subject }}
{{- end }}
{{- $leader := include "agents.rules" (dict "context" $c "component" .key "section" "leaderElection") | fromYamlArray -}}
{{- if and $leader $c.Values.controller.leaderElection.enabled }}
{{- /* The controllers hold the Lease; the control plane only reads it (agentctl status). */ -}}
{{- $leaderName := include "agents.suffixed" (list .name (ternary "leader-election" "lease-reader" (eq .key "controllers"))) }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $leaderName }}
  namespace: {{ include "agents.leaseNamespace" $c }}
  labels:
    {{- $labels | nindent 4 }}
rules:
  {{- toYaml $leader | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $leaderName }}
  namespace: {{ include "agents.leaseNamespace" $c }}
  labels:
    {{- $labels | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $leaderName }}
{{ $subject }}
{{- end }}
{{- end -}}
