{{/* Chart name, truncated to 63 chars. */}}
{{- define "et.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name: <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "et.fullname" -}}
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

{{/*
Name of one component's objects: (dict "ctx" $ "component" "bot"). The component suffix is always kept (a long
release name is shortened instead, so two components never share a name), within 63 chars, or 52 for batch and
redis: Kubernetes appends 11 chars to a CronJob's name for its Jobs and to a StatefulSet's for its revision label.
*/}}
{{- define "et.componentName" -}}
{{- $max := ternary 52 63 (has .component (list "batch" "redis")) -}}
{{- $room := sub $max (add1 (len .component)) | int -}}
{{- printf "%s-%s" (include "et.fullname" .ctx | trunc $room | trimSuffix "-") .component -}}
{{- end -}}

{{/* "true" when the Prometheus Operator API is there: reported by the cluster or listed in .Values.apiVersions. */}}
{{- define "et.hasMonitoringApi" -}}
{{- if or (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") (has "monitoring.coreos.com/v1" .Values.apiVersions) -}}true{{- end -}}
{{- end -}}

{{- define "et.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of a component: name + instance + component only (never change on upgrade). */}}
{{- define "et.selectorLabels" -}}
app.kubernetes.io/name: {{ include "et.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Standard labels of a component's objects. */}}
{{- define "et.labels" -}}
helm.sh/chart: {{ include "et.chart" .ctx }}
{{ include "et.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: engagement-tracker
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Image reference of an application image: (dict "ctx" $ "image" .Values.bot.image) */}}
{{- define "et.image" -}}
{{- $g := .ctx.Values.image -}}
{{- $registry := default $g.registry .image.registry -}}
{{- $repo := .image.repository -}}
{{- $tag := default (default .ctx.Chart.AppVersion $g.tag) .image.tag -}}
{{- if .image.digest -}}
{{- printf "%s%s@%s" (ternary "" (printf "%s/" $registry) (empty $registry)) $repo .image.digest -}}
{{- else -}}
{{- printf "%s%s:%s" (ternary "" (printf "%s/" $registry) (empty $registry)) $repo $tag -}}
{{- end -}}
{{- end -}}

{{- define "et.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod-level security context shared by every pod. */}}
{{- define "et.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  fsGroup: {{ .Values.securityContext.fsGroup }}
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Container-level security context shared by every container. */}}
{{- define "et.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  privileged: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Name of the Secret holding the tokens (chart-made or existing). */}}
{{- define "et.secretName" -}}
{{- default (printf "%s-secrets" (include "et.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Name of the Secret holding the Redis password or URL. */}}
{{- define "et.redisSecretName" -}}
{{- if .Values.redis.enabled -}}
{{- default (printf "%s-redis" (include "et.fullname" .)) .Values.redis.auth.existingSecret -}}
{{- else -}}
{{- default (printf "%s-redis" (include "et.fullname" .)) .Values.externalRedis.existingSecret -}}
{{- end -}}
{{- end -}}

{{/*
Environment shared by the three processes: Redis (the URL is assembled from the password in a Secret,
or read whole from a Secret for an external Redis), key prefix, log level, sandbox URLs.
*/}}
{{- define "et.commonEnv" -}}
{{- if .Values.redis.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "et.redisSecretName" . }}
      key: {{ .Values.redis.auth.existingSecretPasswordKey }}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%d/0" (include "et.componentName" (dict "ctx" . "component" "redis")) (int .Values.redis.service.port) | quote }}
{{- else }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "et.redisSecretName" . }}
      key: {{ .Values.externalRedis.existingSecretUrlKey }}
{{- end }}
- name: REDIS_KEY_PREFIX
  value: {{ .Values.config.redisKeyPrefix | quote }}
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: NODE_ENV
  value: production
{{- if .Values.sandbox.enabled }}
- name: SANDBOX
  value: "true"
- name: DISCORD_API_BASE_URL
  value: {{ printf "http://%s:%d/api" (include "et.sandboxHost" .) (int .Values.sandbox.discordPort) | quote }}
- name: TWITTER_API_BASE_URL
  value: {{ printf "http://%s:%d" (include "et.sandboxHost" .) (int .Values.sandbox.xPort) | quote }}
{{- end }}
{{- with .Values.config.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Discord settings of the bot and the admin API, and the public URL of the console. */}}
{{- define "et.discordEnv" -}}
- name: PUBLIC_BASE_URL
  value: {{ .Values.config.publicBaseUrl | quote }}
{{- with .Values.config.discordGuildId }}
- name: DISCORD_GUILD_ID
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.discordApplicationId }}
- name: DISCORD_APPLICATION_ID
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.adminRoleIds }}
- name: ADMIN_ROLE_IDS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.config.coreRoleIds }}
- name: CORE_ROLE_IDS
  value: {{ join "," . | quote }}
{{- end }}
{{- end -}}

{{/* One token from the tokens Secret, unless sandbox mode leaves it unset: (dict "ctx" $ "env" "DISCORD_BOT_TOKEN" "key" "discordBotToken") */}}
{{- define "et.secretEnv" -}}
{{- if not .ctx.Values.sandbox.enabled }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "et.secretName" .ctx }}
      key: {{ index .ctx.Values.secrets.keys .key }}
{{- end }}
{{- end -}}

{{/* Writable /tmp for read-only root filesystems. */}}
{{- define "et.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
{{- end -}}

{{- define "et.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Fails the render when secrets are missing (unless sandbox or an existing Secret is used). */}}
{{- define "et.validateSecrets" -}}
{{- if and (not .Values.sandbox.enabled) (not .Values.secrets.existingSecret) -}}
{{- $missing := list -}}
{{- range $key, $envName := .Values.secrets.keys -}}
{{- if not (index $.Values.secrets $key) -}}
{{- $missing = append $missing (printf "secrets.%s (%s)" $key $envName) -}}
{{- end -}}
{{- end -}}
{{- if $missing -}}
{{- fail (printf "\n\nMissing required secrets: %s.\nSet them (e.g. --set-string secrets.discordBotToken=...), or point secrets.existingSecret at a Secret with those keys, or set sandbox.enabled=true to run against the in-cluster doubles." (join ", " (sortAlpha $missing))) -}}
{{- end -}}
{{- end -}}
{{- if not .Values.sandbox.enabled -}}
{{- $cfg := list -}}
{{- if not .Values.config.discordGuildId }}{{ $cfg = append $cfg "config.discordGuildId" }}{{ end -}}
{{- if not .Values.config.discordApplicationId }}{{ $cfg = append $cfg "config.discordApplicationId" }}{{ end -}}
{{- if not .Values.config.adminRoleIds }}{{ $cfg = append $cfg "config.adminRoleIds" }}{{ end -}}
{{- if $cfg -}}
{{- fail (printf "\n\nMissing required settings: %s (the console's sign-in needs the guild, the application and the admin roles)." (join ", " $cfg)) -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.url) (not .Values.externalRedis.existingSecret) -}}
{{- fail "\n\nredis.enabled=false needs externalRedis.url or externalRedis.existingSecret (with key externalRedis.existingSecretUrlKey)." -}}
{{- end -}}
{{- end -}}

{{- define "et.adminApi.serviceAccountName" -}}
{{- if .Values.adminApi.serviceAccount.create -}}
{{- default (include "et.componentName" (dict "ctx" . "component" "admin-api")) .Values.adminApi.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.adminApi.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* NetworkPolicy egress rules. DNS: to the cluster DNS pods. */}}
{{- define "et.np.dns" -}}
- to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end -}}

{{/* To Redis: the embedded StatefulSet, or the external Redis' address ranges and port. */}}
{{- define "et.np.redis" -}}
{{- if .Values.redis.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "et.selectorLabels" (dict "ctx" . "component" "redis") | nindent 10 }}
  ports:
    - { protocol: TCP, port: {{ .Values.redis.service.port }} }
{{- else }}
- {{- with .Values.externalRedis.cidrs }}
  to:
    {{- range . }}
    - ipBlock: { cidr: {{ . }} }
    {{- end }}
  {{- end }}
  ports:
    - { protocol: TCP, port: {{ .Values.externalRedis.port }} }
{{- end }}
{{- end -}}

{{/* To Discord and X over HTTPS, or to the in-cluster doubles in sandbox mode. */}}
{{- define "et.np.discordAndX" -}}
{{- if .Values.sandbox.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "et.selectorLabels" (dict "ctx" . "component" "sandbox") | nindent 10 }}
  ports:
    - { protocol: TCP, port: {{ .Values.sandbox.discordPort }} }
    - { protocol: TCP, port: {{ .Values.sandbox.xPort }} }
{{- else }}
- to:
    {{- range .Values.networkPolicy.egressCidrs }}
    - ipBlock: { cidr: {{ . }} }
    {{- end }}
  ports:
    - { protocol: TCP, port: 443 }
{{- end }}
{{- end -}}

{{/* From Prometheus (the metrics namespace) to a metrics port. */}}
{{- define "et.np.fromPrometheus" -}}
- from:
    - namespaceSelector:
        matchLabels:
          {{- toYaml .ctx.Values.networkPolicy.metricsNamespaceSelector | nindent 10 }}
  ports:
    - { protocol: TCP, port: {{ .port }} }
{{- end -}}

{{/* Header of a component's NetworkPolicy (both directions restricted). */}}
{{- define "et.np.header" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "et.componentName" . }}
  labels:
    {{- include "et.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "et.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
{{- end -}}

{{/* Host name of the doubles: their Service, unless sandbox.host says otherwise (podman kube play). */}}
{{- define "et.sandboxHost" -}}
{{- default (include "et.componentName" (dict "ctx" . "component" "sandbox")) .Values.sandbox.host -}}
{{- end -}}
