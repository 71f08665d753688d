{{/* Chart name, truncated to the 63 characters Kubernetes allows. */}}
{{- define "federation.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name of the broker's resources. */}}
{{- define "federation.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "federation.selectorLabels" -}}
app.kubernetes.io/name: {{ include "federation.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "federation.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "federation.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: federation
{{- end -}}

{{- define "federation.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Where the Secret's keys appear as files inside the pods. */}}
{{- define "federation.secretsDir" -}}/etc/federation/secrets{{- end -}}

{{/* Where the API's own TLS certificate appears (config.tls). */}}
{{- define "federation.tlsDir" -}}/etc/federation/tls{{- end -}}

{{/*
The broker's federation.yaml (cmd/federation/config.go). Secrets are only
references: files from the mounted Secret, DATABASE_URL from the environment.
*/}}
{{- define "federation.config" -}}
{{- $secrets := include "federation.secretsDir" . -}}
listen: 0.0.0.0:8080
internal_listen: 0.0.0.0:{{ .Values.config.internalPort }}
{{- if .Values.config.tls.enabled }}
tls:
  cert_file: {{ include "federation.tlsDir" . }}/tls.crt
  key_file: {{ include "federation.tlsDir" . }}/tls.key
{{- end }}
data_dir: /data
log_level: {{ .Values.config.logLevel }}
store:
  postgres_url: env:DATABASE_URL
{{- with .Values.config.tracing.otlpEndpoint }}
tracing:
  otlp_endpoint: {{ . }}
{{- end }}
kafka:
  brokers:
  {{- range .Values.kafka.brokers }}
    - {{ . | quote }}
  {{- end }}
  partitions: {{ .Values.kafka.consumersPerRegion }}
  replication: {{ .Values.kafka.replicas }}
  {{- with .Values.kafka.tls }}
  {{- if .enabled }}
  tls:
    enabled: true
    {{- with .caSecretKey }}
    ca_file: {{ $secrets }}/{{ . }}
    {{- end }}
    {{- if .clientCert }}
    cert_file: {{ $secrets }}/kafka-user.crt
    key_file: {{ $secrets }}/kafka-user.key
    {{- end }}
    {{- with .serverName }}
    server_name: {{ . | quote }}
    {{- end }}
  {{- end }}
  {{- end }}
  {{- with .Values.kafka.sasl }}
  {{- if .mechanism }}
  sasl:
    mechanism: {{ .mechanism | quote }}
    username: {{ .username | quote }}
    password: file:{{ $secrets }}/{{ .passwordSecretKey }}
  {{- end }}
  {{- end }}
auth:
  issuer: {{ required "config.auth.issuer is required" .Values.config.auth.issuer | quote }}
  audience: {{ required "config.auth.audience is required" .Values.config.auth.audience | quote }}
  {{- with .Values.config.auth.caSecretKey }}
  ca_file: {{ $secrets }}/{{ . }}
  {{- end }}
  {{- with .Values.config.auth.operatorClaim }}
  operator_claim: {{ . | quote }}
  {{- end }}
  {{- with .Values.config.auth.regionClaim }}
  region_claim: {{ . | quote }}
  {{- end }}
  {{- with .Values.config.auth.analystClaim }}
  analyst_claim: {{ . | quote }}
  {{- end }}
secrets:
  pseudonym_key: file:{{ $secrets }}/pseudonym-key
  seal_key: file:{{ $secrets }}/seal-key
booking:
  deadline: {{ .Values.config.booking.deadline }}
{{- with .Values.config.conformanceProbes }}
probes:
  interval: {{ .interval | quote }}
  {{- with .regions }}
  regions:
  {{- range $code, $every := . }}
    {{ $code | quote }}: {{ $every | quote }}
  {{- end }}
  {{- end }}
  timeout: {{ .timeout | quote }}
  retention: {{ .retention | quote }}
{{- end }}
{{- with .Values.config.trustedProxies }}
limits:
  # The ingress controller's pods: the client is read from X-Forwarded-For
  # only when the request comes from one of these.
  trusted_proxies: {{ toJson . }}
{{- end }}
{{- with .Values.callbacks }}
{{- if .enabled }}
# The clinics' status callbacks, on a listener of their own (the Service's
# callbacks port), so only it is exposed to the MIS networks.
callback_listen: 0.0.0.0:{{ .port }}
callbacks:
  replay_ttl: {{ .replayTtl }}
  secrets:
  {{- range .regions }}
    {{ . | quote }}: [file:{{ $secrets }}/callback-secret-{{ . }}]
  {{- end }}
{{- end }}
{{- end }}
regions:
{{- range .Values.regions }}
  {{- $kind := .kind | default "fhir" }}
  - code: {{ .code | quote }}
    name: {{ .name | quote }}
    time_zone: {{ .timeZone | quote }}
    kind: {{ $kind }}
    {{- if eq $kind "fhir" }}
    mis:
      base_url: {{ .mis.baseUrl | quote }}
      {{- if .mis.bearerToken }}
      bearer_token: file:{{ $secrets }}/mis-token-{{ .code }}
      {{- end }}
      {{- $tls := .mis.tls | default dict }}
      {{- if or $tls.clientCert $tls.ca }}
      tls:
        {{- if $tls.clientCert }}
        cert_file: {{ $secrets }}/mis-{{ .code }}-tls.crt
        key_file: {{ $secrets }}/mis-{{ .code }}-tls.key
        {{- end }}
        {{- if $tls.ca }}
        ca_file: {{ $secrets }}/mis-{{ .code }}-ca.crt
        {{- end }}
      {{- end }}
      {{- if not (or .mis.bearerToken $tls.clientCert) }}
      {{- fail (printf "region %s: the MIS needs credentials: mis.bearerToken or mis.tls.clientCert" .code) }}
      {{- end }}
      {{- with .mis.callTimeout }}
      call_timeout: {{ . }}
      {{- end }}
      {{- with .mis.retry }}
      retry:
        max_attempts: {{ .maxAttempts }}
        wait_min: {{ .waitMin }}
        wait_max: {{ .waitMax }}
        retry_after_cap: {{ .retryAfterCap }}
      {{- end }}
    {{- else if or (eq $kind "soap") (eq $kind "jsonrpc") }}
    {{- $ep := get . $kind | default dict }}
    {{ $kind }}:
      endpoint: {{ required (printf "region %s: %s.endpoint is required" .code $kind) $ep.endpoint | quote }}
      {{- if $ep.bearerToken }}
      bearer_token: file:{{ $secrets }}/mis-token-{{ .code }}
      {{- end }}
      {{- $tls := $ep.tls | default dict }}
      {{- if or $tls.clientCert $tls.ca }}
      tls:
        {{- if $tls.clientCert }}
        cert_file: {{ $secrets }}/mis-{{ .code }}-tls.crt
        key_file: {{ $secrets }}/mis-{{ .code }}-tls.key
        {{- end }}
        {{- if $tls.ca }}
        ca_file: {{ $secrets }}/mis-{{ .code }}-ca.crt
        {{- end }}
      {{- end }}
      {{- if not (or $ep.bearerToken $tls.clientCert) }}
      {{- fail (printf "region %s: the MIS needs credentials: %s.bearerToken or %s.tls.clientCert" .code $kind $kind) }}
      {{- end }}
      {{- if and (eq $kind "jsonrpc") $ep.refSecret }}
      ref_secret: file:{{ $secrets }}/mis-{{ .code }}-ref-secret
      {{- end }}
      {{- with $ep.callTimeout }}
      call_timeout: {{ . }}
      {{- end }}
      {{- with $ep.readAttempts }}
      read_attempts: {{ . }}
      {{- end }}
    {{- else if eq $kind "feed" }}
    {{- $f := .feed | default dict }}
    feed:
      base_url: {{ required (printf "region %s: feed.baseUrl is required" .code) $f.baseUrl | quote }}
      {{- with $f.pollInterval }}
      poll_interval: {{ . }}
      {{- end }}
      {{- with $f.staleAfter }}
      stale_after: {{ . }}
      {{- end }}
    {{- else }}
    {{- fail (printf "region %s: kind %q is not one of fhir, soap, jsonrpc, feed" .code $kind) }}
    {{- end }}
    {{- with .breaker }}
    breaker:
      consecutive_failures: {{ .consecutiveFailures }}
      open_timeout: {{ .openTimeout }}
      half_open_max_requests: {{ .halfOpenMaxRequests }}
      max_concurrent: {{ .maxConcurrent }}
    {{- end }}
{{- end }}
{{- end -}}

{{/* Volumes shared by the broker pods and the migrate Job. */}}
{{- define "federation.volumes" -}}
- name: config
  configMap:
    name: {{ .configMap }}
- name: secrets
  secret:
    secretName: {{ .root.Values.existingSecret }}
    defaultMode: 0440
{{- if .root.Values.config.tls.enabled }}
- name: api-tls
  secret:
    secretName: {{ .root.Values.config.tls.secretName }}
    defaultMode: 0440
{{- end }}
- name: data
  emptyDir: {sizeLimit: 256Mi}
- name: tmp
  emptyDir: {sizeLimit: 64Mi}
{{- end -}}

{{- define "federation.volumeMounts" -}}
- name: config
  mountPath: /etc/federation/federation.yaml
  subPath: federation.yaml
  readOnly: true
- name: secrets
  mountPath: {{ include "federation.secretsDir" . }}
  readOnly: true
{{- if .Values.config.tls.enabled }}
- name: api-tls
  mountPath: {{ include "federation.tlsDir" . }}
  readOnly: true
{{- end }}
- name: data
  mountPath: /data
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "federation.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.existingSecret }}
      key: database-url
{{- end -}}

{{/* Kubernetes object name of a topic: lower case, dots kept. */}}
{{- define "federation.topicObjectName" -}}
{{- . | lower | replace "_" "-" -}}
{{- end -}}
