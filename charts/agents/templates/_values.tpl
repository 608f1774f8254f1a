{{/*
The effective values of the two Deployments, as JSON: (include "agents.controlPlane.values" $ | fromJson).

This chart keeps each Deployment's settings under controlPlane.* and controllers.*. Values files written for the
reference chart put the control plane's at the top level instead (replicaCount, image, resources, securityContext for
the pod, containerSecurityContext, deploymentStrategy, extraVolumes as {name, volume}, …; the schema's
x-agents-alias-of names the keys each one stands for), and its pod placement and security settings apply to the
controllers too. Both layouts are accepted, one setting at a time:
  1. a component value that differs from the chart's default (or that the user set to null) wins;
  2. else the top-level value, when the values file has one;
  3. else the default.
Maps are compared key by key, so `image.tag` at the top level and `controlPlane.image.digest` combine; extra volumes
and mounts add up. The defaults come from agents.defaults (_defaults.tpl, generated from values.yaml by hack/chart-gen).
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
{{- if and (hasKey $defaults $key) (not (hasKey $dst $key)) -}}
{{- /* The user set the component's key to null (Helm then drops it): that is a value, and it wins. */ -}}
{{- else if and (kindIs "map" $src) (kindIs "map" $current) -}}
{{- include "agents.overlay" (dict "dst" $current "src" $src "defaults" (ternary $default (dict) (kindIs "map" $default))) -}}
{{- else if or (eq (toJson $current) (toJson $default)) (eq (toJson $current) "\"\"") -}}
{{- $_ := set $dst $key $src -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The top-level keys of the reference layout, per component: the control plane takes them all; the controllers, whose
own section in the reference chart has no such keys, take the pod placement, pod metadata and security settings.
Each is read under its name, or renamed (securityContext is the pod's there, containerSecurityContext the container's).
*/}}
{{- define "agents.topLevelKeys" -}}
{{- $shared := list "podAnnotations" "podLabels" "nodeSelector" "affinity" "tolerations" "terminationGracePeriodSeconds" -}}
{{- $renamed := dict "securityContext" "podSecurityContext" "containerSecurityContext" "securityContext" -}}
{{- if eq .component "controlPlane" -}}
{{- $_ := set $renamed "deploymentStrategy" "strategy" -}}
{{- toJson (dict "same" (concat (list "replicaCount" "autoscaling" "image" "serviceAccount" "service" "resources" "livenessProbe" "readinessProbe" "startupProbe" "deploymentLifecycle" "lifecycle" "podDisruptionBudget" "extraVolumes" "extraVolumeMounts") $shared) "renamed" $renamed) -}}
{{- else -}}
{{- toJson (dict "same" $shared "renamed" $renamed) -}}
{{- end -}}
{{- end -}}

{{/* (dict "context" $ "component" <key>): the top-level keys the values file sets, under the component's key names. */}}
{{- define "agents.topLevel" -}}
{{- $v := .context.Values -}}
{{- $keys := include "agents.topLevelKeys" . | fromJson -}}
{{- $out := dict -}}
{{- range $key := $keys.same -}}
{{- if hasKey $v $key -}}
{{- $_ := set $out $key (get $v $key) -}}
{{- end -}}
{{- end -}}
{{- range $from, $to := $keys.renamed -}}
{{- if hasKey $v $from -}}
{{- $_ := set $out $to (get $v $from) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $out "extraVolumes" -}}
{{- $volumes := list -}}
{{- range $out.extraVolumes -}}
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

{{/* agents.component.values (dict "context" $ "key" "controlPlane"|"controllers") → JSON. */}}
{{- define "agents.component.values" -}}
{{- $values := index .context.Values .key -}}
{{- $defaults := index (include "agents.defaults" .context | fromJson) .key -}}
{{- $top := include "agents.topLevel" (dict "context" .context "component" .key) | fromJson -}}
{{- $out := deepCopy $values -}}
{{- /* <component>.deploymentStrategy is the reference chart's name of <component>.strategy. */ -}}
{{- if hasKey $values "deploymentStrategy" -}}
{{- include "agents.overlay" (dict "dst" $out "src" (dict "strategy" $values.deploymentStrategy) "defaults" $defaults) -}}
{{- $_ := unset $out "deploymentStrategy" -}}
{{- end -}}
{{- /* Extra volumes and their mounts add up: the top-level ones, then the component's. */ -}}
{{- range $key := list "extraVolumes" "extraVolumeMounts" -}}
{{- if and (get $top $key) (get $values $key) -}}
{{- $_ := set $out $key (concat (get $top $key) (get $values $key)) -}}
{{- $_ := unset $top $key -}}
{{- end -}}
{{- end -}}
{{- include "agents.overlay" (dict "dst" $out "src" $top "defaults" $defaults) -}}
{{- /* A null requests/limits (the top level's way to drop a default) renders as nothing. */ -}}
{{- range $k, $val := $out.resources -}}
{{- if kindIs "invalid" $val -}}
{{- $_ := unset $out.resources $k -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- define "agents.controlPlane.values" -}}
{{- include "agents.component.values" (dict "context" . "key" "controlPlane") -}}
{{- end -}}

{{- define "agents.controllers.values" -}}
{{- include "agents.component.values" (dict "context" . "key" "controllers") -}}
{{- end -}}
