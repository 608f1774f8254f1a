{{/*
Names, labels, images and namespace lists shared by every template.
Names are truncated to 63 characters (the DNS label limit); a suffix is kept whole and the prefix shortened instead.
*/}}

{{- define "agents.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agents.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* agents.suffixed (list <prefix> <suffix>): "<prefix>-<suffix>", the prefix shortened so the result fits 63. */}}
{{- define "agents.suffixed" -}}
{{- $prefix := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- printf "%s-%s" ($prefix | trunc (int (sub 62 (len $suffix))) | trimSuffix "-") $suffix -}}
{{- end -}}

{{/* The namespace of every namespaced object: namespaceOverride, else the release namespace. */}}
{{- define "agents.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "agents.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a component's namespaced objects (Deployment, Service, Role, …). */}}
{{- define "agents.controlPlane.fullname" -}}
{{- include "agents.fullname" . -}}
{{- end -}}

{{- define "agents.controllers.fullname" -}}
{{- include "agents.suffixed" (list (include "agents.fullname" .) "controllers") -}}
{{- end -}}

{{/*
Prefix of cluster-scoped objects (ClusterRoles, ClusterRoleBindings): includes the release namespace so two releases
of the same name in different namespaces do not collide.
*/}}
{{- define "agents.clusterPrefix" -}}
{{- printf "%s-%s" (include "agents.fullname" .) (include "agents.namespace" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "agents.controlPlane.serviceAccountName" -}}
{{- default (include "agents.controlPlane.fullname" .) (include "agents.controlPlane.values" . | fromJson).serviceAccount.name -}}
{{- end -}}

{{- define "agents.controllers.serviceAccountName" -}}
{{- default (include "agents.controllers.fullname" .) (include "agents.controllers.values" . | fromJson).serviceAccount.name -}}
{{- end -}}

{{/* Where runner pods run, so where their ServiceAccount must exist: the watched namespaces (the release one for "*"). */}}
{{- define "agents.runner.namespaces" -}}
{{- $watched := include "agents.watchedNamespaces" . | fromJsonArray -}}
{{- if has "*" $watched -}}
{{- toJson (list (include "agents.namespace" .)) -}}
{{- else -}}
{{- toJson $watched -}}
{{- end -}}
{{- end -}}

{{- define "agents.runner.serviceAccountName" -}}
{{- default (include "agents.suffixed" (list (include "agents.fullname" .) "runner")) .Values.runnerServiceAccount.name -}}
{{- end -}}

{{/* agents.selectorLabels (dict "context" $ "component" "control-plane"|"controllers") */}}
{{- define "agents.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agents.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* agents.labels (dict "context" $ "component" <component>) */}}
{{- define "agents.labels" -}}
helm.sh/chart: {{ include "agents.chart" .context }}
{{ include "agents.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/part-of: agents
{{- end -}}

{{/*
agents.image (dict "image" <values image> "context" $): "<repository>:<tag>[@<digest>]". The tag defaults to the
chart's appVersion; a digest pins the image whatever the tag says.
*/}}
{{- define "agents.image" -}}
{{- $tag := default .context.Chart.AppVersion .image.tag | toString -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* agents.imagePullSecrets <list of names>: the pod's imagePullSecrets block, or nothing. */}}
{{- define "agents.imagePullSecrets" -}}
{{- if . }}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
agents.namespaces (dict "context" $ "list" <namespaces value>): the namespaces one controller watches, as a JSON
array; an empty list means the release namespace.
*/}}
{{- define "agents.namespaces" -}}
{{- if .list -}}
{{- toJson .list -}}
{{- else -}}
{{- toJson (list (include "agents.namespace" .context)) -}}
{{- end -}}
{{- end -}}

{{- define "agents.controllerNamespaces" -}}
{{- include "agents.namespaces" (dict "context" . "list" .Values.controller.namespaces) -}}
{{- end -}}

{{- define "agents.orchestrationNamespaces" -}}
{{- include "agents.namespaces" (dict "context" . "list" (default .Values.controller.namespaces .Values.orchestrationController.namespaces)) -}}
{{- end -}}

{{- define "agents.supportingNamespaces" -}}
{{- include "agents.namespaces" (dict "context" . "list" (default .Values.controller.namespaces .Values.supportingController.namespaces)) -}}
{{- end -}}

{{/*
Every namespace any controller watches (sorted, unique) as a JSON array; ["*"] when one of them watches all.
This is where the namespaced RBAC is bound.
*/}}
{{- define "agents.watchedNamespaces" -}}
{{- $all := concat (include "agents.controllerNamespaces" . | fromJsonArray) (include "agents.orchestrationNamespaces" . | fromJsonArray) (include "agents.supportingNamespaces" . | fromJsonArray) -}}
{{- if has "*" $all -}}
{{- toJson (list "*") -}}
{{- else -}}
{{- toJson ($all | uniq | sortAlpha) -}}
{{- end -}}
{{- end -}}

{{/* The Lease namespace of the controllers' leader election. */}}
{{- define "agents.leaseNamespace" -}}
{{- default (include "agents.namespace" .) .Values.controller.leaderElection.leaseNamespace -}}
{{- end -}}

{{/*
agents.rules (dict "context" $ "component" "controllers"|"controlPlane" "section" <section>): the policy rules of one
section of files/rbac-rules.yaml, plus rbac.extraRules for the namespaced section (the component's list, or a plain
list — the reference chart's form — for both components).
*/}}
{{- define "agents.rules" -}}
{{- $rules := index (.context.Files.Get "files/rbac-rules.yaml" | fromYaml) .component .section | default (list) -}}
{{- if eq .section "namespaced" -}}
{{- $extra := .context.Values.rbac.extraRules -}}
{{- if kindIs "slice" $extra -}}
{{- $rules = concat $rules $extra -}}
{{- else -}}
{{- $rules = concat $rules (index ($extra | default dict) .component | default list) -}}
{{- end -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}

{{/*
agents.envValue <value>: an env value as a string. Integers stay integers (YAML numbers reach templates as float64,
which would print as 1e+06); booleans print as true/false.
*/}}
{{- define "agents.envValue" -}}
{{- if kindIs "string" . -}}
{{- . -}}
{{- else if kindIs "bool" . -}}
{{- ternary "true" "false" . -}}
{{- else if and (kindIs "float64" .) (ne (float64 (int64 .)) .) -}}
{{- . | toString -}}
{{- else if or (kindIs "float64" .) (kindIs "int64" .) (kindIs "int" .) -}}
{{- int64 . | toString -}}
{{- else -}}
{{- toJson . -}}
{{- end -}}
{{- end -}}

{{/* agents.truthy <value>: "true" for true, 1, "1", "true", "yes", "on" (any case), "" otherwise. */}}
{{- define "agents.truthy" -}}
{{- if has (include "agents.envValue" . | lower) (list "true" "1" "yes" "on") -}}true{{- end -}}
{{- end -}}

{{/* agents.topologySpread (dict "constraints" <list> "context" $ "component" <component>): fills in labelSelector. */}}
{{- define "agents.topologySpread" -}}
{{- $out := list -}}
{{- range .constraints -}}
{{- $c := deepCopy . -}}
{{- if not (hasKey $c "labelSelector") -}}
{{- $_ := set $c "labelSelector" (dict "matchLabels" (include "agents.selectorLabels" (dict "context" $.context "component" $.component) | fromYaml)) -}}
{{- end -}}
{{- $out = append $out $c -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
