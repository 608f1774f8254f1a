{{/*
Values → env vars of the two Deployments (the table in README.md lists every mapping).

Each component's env is built from:
  1. "derived": literal values the chart computes from its values (JANGAR_*, DATABASE_URL, NATS_URL, …);
  2. "from": entries read from the downward API or Secrets (valueFrom);
  3. "vars": the top-level env.vars merged with the component's env.vars (the component wins).
vars override derived values of the same name (validation.yaml refuses the overrides that would break the pod:
JANGAR_PORT, JANGAR_GRPC_* under grpc.manageEnvVar, and the Secret-backed DATABASE_URL / NATS_* values), so every
name appears exactly once. Literal entries are sorted by name, which keeps renders deterministic.
*/}}

{{/* Env names the controllers only take from controllers.env.vars (the shared env.vars never reach them). */}}
{{- define "agents.controllers.reservedEnv" -}}
{{- toJson (dict "JANGAR_MIGRATIONS" "skip" "JANGAR_GRPC_ENABLED" "0" "JANGAR_CONTROL_PLANE_CACHE_ENABLED" "0") -}}
{{- end -}}

{{/* The merged literal vars of a component: (dict "context" $ "component" "controlPlane"|"controllers") → JSON. */}}
{{- define "agents.componentVars" -}}
{{- $v := .context.Values -}}
{{- $shared := deepCopy ($v.env.vars | default dict) -}}
{{- range $v.env.extra -}}
{{- if not (hasKey $shared .name) -}}
{{- $_ := set $shared .name (ternary .value "" (hasKey . "value")) -}}
{{- end -}}
{{- end -}}
{{- if eq .component "controllers" -}}
{{- range $k, $_ := include "agents.controllers.reservedEnv" . | fromJson -}}
{{- $_ := unset $shared $k -}}
{{- end -}}
{{- end -}}
{{- $own := deepCopy ((index $v .component).env.vars | default dict) -}}
{{- toJson (merge $own $shared) -}}
{{- end -}}

{{/* "a,b,c" for a JSON array of namespaces. */}}
{{- define "agents.joinNamespaces" -}}
{{- join "," (fromJsonArray .) -}}
{{- end -}}

{{/* The chart's gRPC env of the control plane (when grpc.manageEnvVar). */}}
{{- define "agents.grpcEnv" -}}
{{- toJson (dict "JANGAR_GRPC_ENABLED" (ternary "true" "false" .Values.grpc.enabled) "JANGAR_GRPC_HOST" "0.0.0.0" "JANGAR_GRPC_PORT" (include "agents.envValue" .Values.grpc.port)) -}}
{{- end -}}

{{/* Database env of the control plane: (derived, from) as JSON. */}}
{{- define "agents.databaseSecretName" -}}
{{- default (include "agents.suffixed" (list (include "agents.fullname" .) "db")) .Values.database.createSecret.name -}}
{{- end -}}

{{- define "agents.natsSecretName" -}}
{{- include "agents.suffixed" (list (include "agents.fullname" .) "nats") -}}
{{- end -}}

{{/* NATS env of both components: JSON {derived: {...}, from: [...]}. */}}
{{- define "agents.natsEnv" -}}
{{- $derived := dict -}}
{{- $from := list -}}
{{- $n := .Values.agentComms.nats -}}
{{- if .Values.agentComms.enabled -}}
{{- $_ := set $derived "NATS_URL" $n.url -}}
{{- if $n.userSecret.name -}}
{{- $from = append $from (dict "name" "NATS_USER" "valueFrom" (dict "secretKeyRef" (dict "name" $n.userSecret.name "key" $n.userSecret.usernameKey))) -}}
{{- $from = append $from (dict "name" "NATS_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $n.userSecret.name "key" $n.userSecret.passwordKey))) -}}
{{- else if $n.password -}}
{{- if $n.user -}}
{{- $from = append $from (dict "name" "NATS_USER" "valueFrom" (dict "secretKeyRef" (dict "name" (include "agents.natsSecretName" .) "key" "username"))) -}}
{{- end -}}
{{- $from = append $from (dict "name" "NATS_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" (include "agents.natsSecretName" .) "key" "password"))) -}}
{{- else if $n.user -}}
{{- $_ := set $derived "NATS_USER" $n.user -}}
{{- end -}}
{{- end -}}
{{- toJson (dict "derived" $derived "from" $from) -}}
{{- end -}}

{{/* agents.renderEnv (dict "context" $ "derived" <dict> "from" <list> "vars" <dict>): the container's env list. */}}
{{- define "agents.renderEnv" -}}
{{- $vars := .vars -}}
{{- $final := merge (deepCopy $vars) .derived -}}
{{- range $name := keys $final | sortAlpha }}
- name: {{ $name }}
  value: {{ include "agents.envValue" (index $final $name) | quote }}
{{- end }}
{{- range .from }}
{{- if not (hasKey $vars .name) }}
- name: {{ .name }}
  valueFrom:
    {{- toYaml .valueFrom | nindent 4 }}
{{- end }}
{{- end }}
{{- range .context.Values.env.secrets }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName | quote }}
      key: {{ .key | quote }}
{{- end }}
{{- range .context.Values.env.config }}
- name: {{ .name }}
  valueFrom:
    configMapKeyRef:
      name: {{ .configMapName | quote }}
      key: {{ .key | quote }}
{{- end }}
{{- range $pair := list (list "secretKeyRef" .context.Values.envFromSecretRefs) (list "configMapKeyRef" .context.Values.envFromConfigMapRefs) }}
{{- $ref := index $pair 0 }}
{{- range index $pair 1 }}
{{- if and (kindIs "map" .) .keys }}
{{- $from := . }}
{{- range .keys }}
- name: {{ . }}
  valueFrom:
    {{ $ref }}:
      name: {{ $from.name | quote }}
      key: {{ . | quote }}
      {{- if $from.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The downward API entries both components get. */}}
{{- define "agents.podEnvFrom" -}}
{{- $out := list -}}
{{- range $name, $field := dict "JANGAR_POD_NAME" "metadata.name" "JANGAR_POD_NAMESPACE" "metadata.namespace" "JANGAR_POD_UID" "metadata.uid" -}}
{{- $out = append $out (dict "name" $name "valueFrom" (dict "fieldRef" (dict "fieldPath" $field))) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* envFrom of both components: the refs given by name, or as {name, optional} without `keys` (those are env entries). */}}
{{- define "agents.envFrom" -}}
{{- range $pair := list (list "secretRef" .Values.envFromSecretRefs) (list "configMapRef" .Values.envFromConfigMapRefs) }}
{{- $ref := index $pair 0 }}
{{- range index $pair 1 }}
{{- if kindIs "string" . }}
- {{ $ref }}:
    name: {{ . | quote }}
{{- else if not .keys }}
- {{ $ref }}:
    name: {{ .name | quote }}
    {{- if .optional }}
    optional: true
    {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* KUBERNETES_SERVICE_HOST/PORT of both components from kubernetesApi (JSON; empty when not set). */}}
{{- define "agents.kubernetesApiEnv" -}}
{{- $d := dict -}}
{{- with .Values.kubernetesApi.host -}}
{{- $_ := set $d "KUBERNETES_SERVICE_HOST" . -}}
{{- end -}}
{{- if not (eq (toString .Values.kubernetesApi.port) "") -}}
{{- $_ := set $d "KUBERNETES_SERVICE_PORT" (include "agents.envValue" .Values.kubernetesApi.port) -}}
{{- end -}}
{{- toJson $d -}}
{{- end -}}

{{/* ------------------------------------------------------------------------------------------------------------ */}}
{{/* Control plane                                                                                                */}}
{{/* ------------------------------------------------------------------------------------------------------------ */}}

{{- define "agents.controlPlane.derivedEnv" -}}
{{- $v := .Values -}}
{{- $ns := include "agents.controllerNamespaces" . -}}
{{- $d := dict
  "JANGAR_SERVER_PROFILE" "agents-control-plane"
  "JANGAR_PORT" "8080"
  "JANGAR_SERVICE_ACCOUNT_NAME" (include "agents.controlPlane.serviceAccountName" .)
  "JANGAR_IMAGE" (include "agents.image" (dict "image" (include "agents.controlPlane.values" . | fromJson).image "context" .))
  "JANGAR_LOG_LEVEL" $v.logging.level
  "JANGAR_AGENTS_CONTROLLER_NAMESPACES" (include "agents.joinNamespaces" $ns)
  "JANGAR_PRIMITIVES_NAMESPACES" (include "agents.joinNamespaces" $ns)
  "JANGAR_RBAC_CLUSTER_SCOPED" (ternary "true" "false" $v.rbac.clusterScoped)
  "JANGAR_PROMETHEUS_METRICS_ENABLED" (ternary "true" "false" $v.metrics.enabled)
  "JANGAR_PROMETHEUS_METRICS_PATH" $v.metrics.path
  "JANGAR_AGENT_RUNNER_LOG_RETENTION_SECONDS" (include "agents.envValue" $v.controller.logRetentionSeconds)
  "JANGAR_AGENT_RUNNER_JOB_TTL_SECONDS" (include "agents.envValue" (ternary $v.controller.jobTtlSeconds $v.controller.jobTtlSecondsAfterFinished (ne (int $v.controller.jobTtlSeconds) 600)))
  "JANGAR_IMPLEMENTATION_SOURCE_WEBHOOK_QUEUE_SIZE" (include "agents.envValue" $v.controller.webhook.queueSize)
  "JANGAR_IMPLEMENTATION_SOURCE_WEBHOOK_RETRY_BASE_DELAY_SECONDS" (include "agents.envValue" $v.controller.webhook.retry.baseDelaySeconds)
  "JANGAR_IMPLEMENTATION_SOURCE_WEBHOOK_RETRY_MAX_DELAY_SECONDS" (include "agents.envValue" $v.controller.webhook.retry.maxDelaySeconds)
  "JANGAR_IMPLEMENTATION_SOURCE_WEBHOOK_RETRY_MAX_ATTEMPTS" (include "agents.envValue" $v.controller.webhook.retry.maxAttempts)
-}}
{{- if $v.grpc.manageEnvVar -}}
{{- $d = merge $d (include "agents.grpcEnv" . | fromJson) -}}
{{- end -}}
{{- $d = merge $d (include "agents.kubernetesApiEnv" . | fromJson) -}}
{{- if $v.cors.allowedOrigins -}}
{{- $_ := set $d "JANGAR_CORS_ALLOWED_ORIGINS" (join "," $v.cors.allowedOrigins) -}}
{{- end -}}
{{- $sink := $v.audit.sink -}}
{{- if ne $sink.type "none" -}}
{{- $_ := set $d "JANGAR_AUDIT_SINK_TYPE" $sink.type -}}
{{- end -}}
{{- if eq $sink.type "http" -}}
{{- $_ := set $d "JANGAR_AUDIT_SINK_HTTP_URL" $sink.http.url -}}
{{- $_ := set $d "JANGAR_AUDIT_SINK_HTTP_TIMEOUT_MS" (include "agents.envValue" $sink.http.timeoutMs) -}}
{{- if $sink.http.headers -}}
{{- $_ := set $d "JANGAR_AUDIT_SINK_HTTP_HEADERS_JSON" (toJson $sink.http.headers) -}}
{{- end -}}
{{- end -}}
{{- if $v.agentComms.enabled -}}
{{- $_ := set $d "JANGAR_AGENT_COMMS_SUBSCRIBER_DISABLED" "false" -}}
{{- /* One durable consumer per release, shared by its replicas: two releases on one NATS never split a stream. */ -}}
{{- $_ := set $d "JANGAR_AGENT_COMMS_CONSUMER" (include "agents.suffixed" (list (include "agents.fullname" .) "agent-comms")) -}}
{{- if $v.agentComms.subjects -}}
{{- $_ := set $d "JANGAR_AGENT_COMMS_SUBJECTS" (join "," $v.agentComms.subjects) -}}
{{- end -}}
{{- end -}}
{{- $d = merge $d (include "agents.natsEnv" . | fromJson).derived -}}
{{- if and $v.database.url (not $v.database.createSecret.enabled) -}}
{{- $_ := set $d "DATABASE_URL" $v.database.url -}}
{{- end -}}
{{- if $v.database.caSecret.name -}}
{{- $_ := set $d "PGSSLROOTCERT" (printf "/etc/agents/ca/%s" $v.database.caSecret.key) -}}
{{- end -}}
{{- toJson $d -}}
{{- end -}}

{{- define "agents.controlPlane.fromEnv" -}}
{{- $v := .Values -}}
{{- $from := include "agents.podEnvFrom" . | fromJsonArray -}}
{{- if $v.database.createSecret.enabled -}}
{{- $from = append $from (dict "name" "DATABASE_URL" "valueFrom" (dict "secretKeyRef" (dict "name" (include "agents.databaseSecretName" .) "key" "url"))) -}}
{{- else if $v.database.secretRef.name -}}
{{- $from = append $from (dict "name" "DATABASE_URL" "valueFrom" (dict "secretKeyRef" (dict "name" $v.database.secretRef.name "key" $v.database.secretRef.key))) -}}
{{- end -}}
{{- $from = concat $from (include "agents.natsEnv" . | fromJson).from -}}
{{- toJson $from -}}
{{- end -}}

{{- define "agents.controlPlane.env" -}}
{{- include "agents.renderEnv" (dict
  "context" .
  "derived" (include "agents.controlPlane.derivedEnv" . | fromJson)
  "from" (include "agents.controlPlane.fromEnv" . | fromJsonArray)
  "vars" (include "agents.componentVars" (dict "context" . "component" "controlPlane") | fromJson)) -}}
{{- end -}}

{{/* ------------------------------------------------------------------------------------------------------------ */}}
{{/* Controllers                                                                                                  */}}
{{/* ------------------------------------------------------------------------------------------------------------ */}}

{{/* The runner pods' default ServiceAccount: controller.defaultWorkload's, else the chart's runner one when setAsDefault. */}}
{{- define "agents.runnerServiceAccountDefault" -}}
{{- $r := .Values.runnerServiceAccount -}}
{{- if .Values.controller.defaultWorkload.serviceAccountName -}}
{{- .Values.controller.defaultWorkload.serviceAccountName -}}
{{- else if and $r.create $r.setAsDefault -}}
{{- include "agents.runner.serviceAccountName" . -}}
{{- end -}}
{{- end -}}

{{- define "agents.runnerImage" -}}
{{- default (include "agents.image" (dict "image" .Values.runner.image "context" .)) .Values.runtime.agentRunnerImage -}}
{{- end -}}

{{- define "agents.controllers.derivedEnv" -}}
{{- $v := .Values -}}
{{- $c := $v.controller -}}
{{- $le := $c.leaderElection -}}
{{- $ns := include "agents.controllerNamespaces" . -}}
{{- $d := dict
  "JANGAR_SERVER_PROFILE" "agents-controllers"
  "JANGAR_PORT" "8080"
  "JANGAR_SERVICE_ACCOUNT_NAME" (include "agents.controllers.serviceAccountName" .)
  "JANGAR_IMAGE" (include "agents.image" (dict "image" (include "agents.controllers.values" . | fromJson).image "context" .))
  "JANGAR_LOG_LEVEL" $v.logging.level
  "JANGAR_RBAC_CLUSTER_SCOPED" (ternary "true" "false" $v.rbac.clusterScoped)
  "JANGAR_PROMETHEUS_METRICS_ENABLED" (ternary "true" "false" $v.metrics.enabled)
  "JANGAR_PROMETHEUS_METRICS_PATH" $v.metrics.path
  "JANGAR_AGENTS_CONTROLLER_ENABLED" (ternary "true" "false" $c.enabled)
  "JANGAR_AGENTS_CONTROLLER_NAMESPACES" (include "agents.joinNamespaces" $ns)
  "JANGAR_PRIMITIVES_NAMESPACES" (include "agents.joinNamespaces" $ns)
  "JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE" (include "agents.envValue" $c.concurrency.perNamespace)
  "JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT" (include "agents.envValue" $c.concurrency.perAgent)
  "JANGAR_AGENTS_CONTROLLER_CONCURRENCY_CLUSTER" (include "agents.envValue" $c.concurrency.cluster)
  "JANGAR_AGENTS_CONTROLLER_QUEUE_NAMESPACE" (include "agents.envValue" $c.queue.perNamespace)
  "JANGAR_AGENTS_CONTROLLER_QUEUE_REPO" (include "agents.envValue" $c.queue.perRepo)
  "JANGAR_AGENTS_CONTROLLER_QUEUE_CLUSTER" (include "agents.envValue" $c.queue.cluster)
  "JANGAR_AGENTS_CONTROLLER_RATE_WINDOW_SECONDS" (include "agents.envValue" $c.rate.windowSeconds)
  "JANGAR_AGENTS_CONTROLLER_RATE_NAMESPACE" (include "agents.envValue" $c.rate.perNamespace)
  "JANGAR_AGENTS_CONTROLLER_RATE_REPO" (include "agents.envValue" $c.rate.perRepo)
  "JANGAR_AGENTS_CONTROLLER_RATE_CLUSTER" (include "agents.envValue" $c.rate.cluster)
  "JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_SECONDS" (include "agents.envValue" $c.agentRunRetentionSeconds)
  "JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_MAX_DELETES_PER_NAMESPACE" (include "agents.envValue" $c.agentRunRetentionMaxDeletesPerNamespace)
  "JANGAR_AGENTS_CONTROLLER_AGENTRUN_RETENTION_ZERO_TTL_MAX_SECONDS" (include "agents.envValue" $c.agentRunRetentionZeroTtlMaxSeconds)
  "JANGAR_AGENTRUN_ARTIFACTS_MAX" (include "agents.envValue" $c.agentRunArtifacts.max)
  "JANGAR_AGENTRUN_ARTIFACTS_STRICT" (ternary "true" "false" $c.agentRunArtifacts.strict)
  "JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_ENABLED" (ternary "true" "false" $c.repoConcurrency.enabled)
  "JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_DEFAULT" (include "agents.envValue" $c.repoConcurrency.default)
  "JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_OVERRIDES" (toJson $c.repoConcurrency.overrides)
  "JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_CLEANUP_MODE" $c.runtimeDebrisCleanup.mode
  "JANGAR_AGENTS_CONTROLLER_ORPHAN_POD_RETENTION_SECONDS" (include "agents.envValue" $c.runtimeDebrisCleanup.orphanPodRetentionSeconds)
  "JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_MAX_DELETES_PER_NAMESPACE" (include "agents.envValue" $c.runtimeDebrisCleanup.maxDeletesPerNamespace)
  "JANGAR_AGENTS_CONTROLLER_VCS_PROVIDERS_ENABLED" (ternary "true" "false" $c.vcsProviders.enabled)
  "JANGAR_ORCHESTRATION_CONTROLLER_ENABLED" (ternary "true" "false" $v.orchestrationController.enabled)
  "JANGAR_ORCHESTRATION_CONTROLLER_NAMESPACES" (include "agents.joinNamespaces" (include "agents.orchestrationNamespaces" .))
  "JANGAR_SUPPORTING_CONTROLLER_ENABLED" (ternary "true" "false" $v.supportingController.enabled)
  "JANGAR_SUPPORTING_CONTROLLER_NAMESPACES" (include "agents.joinNamespaces" (include "agents.supportingNamespaces" .))
  "JANGAR_LEADER_ELECTION_ENABLED" (ternary "true" "false" $le.enabled)
  "JANGAR_LEADER_ELECTION_LEASE_NAME" $le.leaseName
  "JANGAR_LEADER_ELECTION_LEASE_NAMESPACE" (include "agents.leaseNamespace" .)
  "JANGAR_LEADER_ELECTION_LEASE_DURATION_SECONDS" (include "agents.envValue" $le.leaseDurationSeconds)
  "JANGAR_LEADER_ELECTION_RENEW_DEADLINE_SECONDS" (include "agents.envValue" $le.renewDeadlineSeconds)
  "JANGAR_LEADER_ELECTION_RETRY_PERIOD_SECONDS" (include "agents.envValue" $le.retryPeriodSeconds)
  "JANGAR_AGENT_RUNNER_IMAGE" (include "agents.runnerImage" .)
  "JANGAR_AGENT_RUNNER_JOB_TTL_SECONDS" (include "agents.envValue" $c.jobTtlSecondsAfterFinished)
  "JANGAR_AGENT_RUNNER_LOG_RETENTION_SECONDS" (include "agents.envValue" $c.logRetentionSeconds)
-}}
{{- $d = merge $d (include "agents.controllers.reservedEnv" . | fromJson) -}}
{{- $d = merge $d (include "agents.kubernetesApiEnv" . | fromJson) -}}
{{- $lists := dict
  "JANGAR_AGENTS_CONTROLLER_LABELS_REQUIRED" $c.admissionPolicy.labels.required
  "JANGAR_AGENTS_CONTROLLER_LABELS_ALLOWED" $c.admissionPolicy.labels.allowed
  "JANGAR_AGENTS_CONTROLLER_LABELS_DENIED" $c.admissionPolicy.labels.denied
  "JANGAR_AGENTS_CONTROLLER_IMAGES_ALLOWED" $c.admissionPolicy.images.allowed
  "JANGAR_AGENTS_CONTROLLER_IMAGES_DENIED" $c.admissionPolicy.images.denied
  "JANGAR_AGENTS_CONTROLLER_BLOCKED_SECRETS" $c.admissionPolicy.secrets.blocked
  "JANGAR_AGENTS_CONTROLLER_VCS_DEPRECATED_TOKEN_TYPES" $c.vcsProviders.deprecatedTokenTypes
  "JANGAR_AGENTS_CONTROLLER_VCS_PR_RATE_LIMITS" $c.vcsProviders.prRateLimits
-}}
{{- $w := $c.defaultWorkload -}}
{{- $pullSecrets := list -}}
{{- range (default $v.runner.image.pullSecrets $w.imagePullSecrets) -}}
{{- $pullSecrets = append $pullSecrets (dict "name" .) -}}
{{- end -}}
{{- $lists = merge $lists (dict
  "JANGAR_AGENT_RUNNER_NODE_SELECTOR" $w.nodeSelector
  "JANGAR_AGENT_RUNNER_TOLERATIONS" $w.tolerations
  "JANGAR_AGENT_RUNNER_AFFINITY" $w.affinity
  "JANGAR_AGENT_RUNNER_TOPOLOGY_SPREAD_CONSTRAINTS" $w.topologySpreadConstraints
  "JANGAR_AGENT_RUNNER_POD_SECURITY_CONTEXT" $w.podSecurityContext
  "JANGAR_AGENT_RUNNER_RESOURCES" $w.resources
  "JANGAR_AGENT_RUNNER_IMAGE_PULL_SECRETS" $pullSecrets) -}}
{{- range $name, $value := $lists -}}
{{- if $value -}}
{{- $_ := set $d $name (toJson $value) -}}
{{- end -}}
{{- end -}}
{{- $strings := dict
  "JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_NAME" $c.authSecret.name
  "JANGAR_AGENT_IMAGE" $v.runtime.agentImage
  "JANGAR_SCHEDULE_RUNNER_IMAGE" $v.runtime.scheduleRunnerImage
  "JANGAR_SCHEDULE_SERVICE_ACCOUNT" $v.runtime.scheduleServiceAccount
  "JANGAR_AGENT_RUNNER_SERVICE_ACCOUNT" (include "agents.runnerServiceAccountDefault" .)
  "JANGAR_AGENT_RUNNER_IMAGE_PULL_POLICY" $v.runner.image.pullPolicy
  "JANGAR_AGENT_RUNNER_PRIORITY_CLASS" $w.priorityClassName
  "JANGAR_AGENT_RUNNER_SCHEDULER_NAME" $w.schedulerName
-}}
{{- range $name, $value := $strings -}}
{{- if $value -}}
{{- $_ := set $d $name $value -}}
{{- end -}}
{{- end -}}
{{- if $c.authSecret.name -}}
{{- $_ := set $d "JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_KEY" $c.authSecret.key -}}
{{- $_ := set $d "JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_MOUNT_PATH" $c.authSecret.mountPath -}}
{{- end -}}
{{- $d = merge $d (include "agents.natsEnv" . | fromJson).derived -}}
{{- toJson $d -}}
{{- end -}}

{{- define "agents.controllers.env" -}}
{{- include "agents.renderEnv" (dict
  "context" .
  "derived" (include "agents.controllers.derivedEnv" . | fromJson)
  "from" (concat (include "agents.podEnvFrom" . | fromJsonArray) (include "agents.natsEnv" . | fromJson).from)
  "vars" (include "agents.componentVars" (dict "context" . "component" "controllers") | fromJson)) -}}
{{- end -}}
