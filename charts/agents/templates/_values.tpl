{{/*
The effective values of the two Deployments, as JSON: (include "agents.controlPlane.values" $ | fromJson).

This chart keeps each Deployment's settings under controlPlane.* and controllers.*. Values files written for the
reference chart put the control plane's at the top level instead (replicaCount, image, resources, securityContext for
the pod, containerSecurityContext, deploymentStrategy, extraVolumes as {name, volume}, …; the schema's
x-agents-alias-of names the key each one stands for). Both layouts are accepted, one setting at a time:
  1. a controlPlane.* value that differs from the chart's default wins;
  2. else the top-level value, when the values file has one;
  3. else the default.
Maps are compared key by key, so `image.tag` at the top level and `controlPlane.image.digest` combine. The defaults
come from agents.defaults (_defaults.tpl, generated from values.yaml by hack/chart-gen).
*/}}

{{/*
agents.overlay (dict "dst" <map> "src" <map> "defaults" <map>): copies each value of src into dst where dst still
holds the default or an empty string (the reference chart's "inherit", e.g. controlPlane.image.pullPolicy: ''),
recursing into maps both sides have. Mutates dst; renders nothing.
*/}}
{{- define "agents.overlay" -}}
{{- $dst := .dst -}}
{{- $defaults := .defaults | default dict -}}
{{- range $key, $src := .src -}}
{{- $current := get $dst $key -}}
{{- $default := get $defaults $key -}}
{{- if and (kindIs "map" $src) (kindIs "map" $current) -}}
{{- include "agents.overlay" (dict "dst" $current "src" $src "defaults" (ternary $default (dict) (kindIs "map" $default))) -}}
{{- else if or (eq (toJson $current) (toJson $default)) (eq (toJson $current) "\"\"") -}}
{{- $_ := set $dst $key $src -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The top-level keys that stand for the control plane key of the same name. */}}
{{- define "agents.controlPlane.topLevelKeys" -}}
{{- toJson (list "replicaCount" "autoscaling" "image" "serviceAccount" "service" "resources" "podAnnotations" "podLabels" "nodeSelector" "affinity" "tolerations" "livenessProbe" "readinessProbe" "startupProbe" "deploymentLifecycle" "lifecycle" "terminationGracePeriodSeconds" "podDisruptionBudget" "extraVolumeMounts") -}}
{{- end -}}

{{/* The top-level keys of the reference layout that the values file sets, renamed to their controlPlane.* keys. */}}
{{- define "agents.controlPlane.topLevel" -}}
{{- $v := .Values -}}
{{- $out := dict -}}
{{- range $key := include "agents.controlPlane.topLevelKeys" . | fromJsonArray -}}
{{- if hasKey $v $key -}}
{{- $_ := set $out $key (get $v $key) -}}
{{- end -}}
{{- end -}}
{{- range $from, $to := dict "securityContext" "podSecurityContext" "containerSecurityContext" "securityContext" "deploymentStrategy" "strategy" -}}
{{- if hasKey $v $from -}}
{{- $_ := set $out $to (get $v $from) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $v "extraVolumes" -}}
{{- $volumes := list -}}
{{- range $v.extraVolumes -}}
{{- if hasKey . "volume" -}}
{{- $volumes = append $volumes (merge (dict "name" .name) .volume) -}}
{{- else -}}
{{- $volumes = append $volumes . -}}
{{- end -}}
{{- end -}}
{{- $_ := set $out "extraVolumes" $volumes -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* agents.component.values (dict "context" $ "key" "controlPlane"|"controllers" "topLevel" <map>) → JSON. */}}
{{- define "agents.component.values" -}}
{{- $values := index .context.Values .key -}}
{{- $defaults := index (include "agents.defaults" .context | fromJson) .key -}}
{{- $out := deepCopy $values -}}
{{- /* <component>.deploymentStrategy is the reference chart's name of <component>.strategy. */ -}}
{{- if hasKey $values "deploymentStrategy" -}}
{{- include "agents.overlay" (dict "dst" $out "src" (dict "strategy" $values.deploymentStrategy) "defaults" $defaults) -}}
{{- $_ := unset $out "deploymentStrategy" -}}
{{- end -}}
{{- include "agents.overlay" (dict "dst" $out "src" .topLevel "defaults" $defaults) -}}
{{- toJson $out -}}
{{- end -}}

{{- define "agents.controlPlane.values" -}}
{{- include "agents.component.values" (dict "context" . "key" "controlPlane" "topLevel" (include "agents.controlPlane.topLevel" . | fromJson)) -}}
{{- end -}}

{{- define "agents.controllers.values" -}}
{{- include "agents.component.values" (dict "context" . "key" "controllers" "topLevel" (dict)) -}}
{{- end -}}
