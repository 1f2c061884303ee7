// Every metric name of the kit, once. The sidecar and router export these; the adapter rules, the HPA,
// the recording/alerting rules, the Grafana dashboards and the simulator import them — so nothing can drift.

/** Per-pod gauges and counters exported by the signalling sidecar. */
export const SIDECAR = {
  streamerConnected: 'pixelstream_streamer_connected',
  allocated: 'pixelstream_allocated',
  available: 'pixelstream_available',
  draining: 'pixelstream_draining',
  reserved: 'pixelstream_reserved',
  players: 'pixelstream_players',
  sessionsTotal: 'pixelstream_sessions_total',
  sessionDurationSeconds: 'pixelstream_session_duration_seconds',
  messagesTotal: 'pixelstream_messages_total',
  rejectionsTotal: 'pixelstream_rejections_total',
  subscribeToAnswerSeconds: 'pixelstream_subscribe_to_answer_seconds',
  reservationsTotal: 'pixelstream_reservations_total',
  podPatchesTotal: 'pixelstream_pod_patches_total',
  eventsDroppedTotal: 'pixelstream_events_dropped_total',
  /** Histogram: this pod's creation (metadata.creationTimestamp) to its streamer first being ready. */
  podReadySeconds: 'pixelstream_pod_ready_seconds',
} as const;

/** Metrics exported by every session-router replica. */
export const ROUTER = {
  queueLength: 'pixelstream_router_queue_length',
  waitSeconds: 'pixelstream_router_wait_seconds',
  allocationsTotal: 'pixelstream_router_allocations_total',
  /** Counter: players who asked for a new stream (resumes excluded) — the arrival rate λ of warm capacity. */
  arrivalsTotal: 'pixelstream_router_arrivals_total',
} as const;

/** `result` label values of SIDECAR.reservationsTotal. */
export const SIDECAR_RESERVATION_RESULTS = [
  'granted',
  'resumed',
  'released',
  'expired',
  'not_found',
  'draining',
  'conflict',
  'unauthorized',
] as const;
export type SidecarReservationResult = (typeof SIDECAR_RESERVATION_RESULTS)[number];
/** `result` label values of SIDECAR.podPatchesTotal. */
export const SIDECAR_POD_PATCH_RESULTS = ['ok', 'error'] as const;
export type SidecarPodPatchResult = (typeof SIDECAR_POD_PATCH_RESULTS)[number];

/** `result` label values of ROUTER.allocationsTotal. */
export const ROUTER_ALLOCATION_RESULTS = ['assigned', 'resumed', 'rejected', 'failed'] as const;
export type RouterAllocationResult = (typeof ROUTER_ALLOCATION_RESULTS)[number];

/** Custom metrics the prometheus-adapter publishes on the streamer Service; the HPA consumes them. */
export const ADAPTER = {
  availableCount: 'pixelstream_available_count',
  poolRatio: 'player_stream_pool_ratio',
  demand: 'pixelstream_demand',
  playerConnections: 'stream_player_connections',
} as const;

/** Metrics from NVIDIA's DCGM exporter that the dashboards and alerts read. */
export const DCGM = {
  gpuUtil: 'DCGM_FI_DEV_GPU_UTIL',
  encoderUtil: 'DCGM_FI_DEV_ENC_UTIL',
  decoderUtil: 'DCGM_FI_DEV_DEC_UTIL',
  memoryUsed: 'DCGM_FI_DEV_FB_USED',
  memoryFree: 'DCGM_FI_DEV_FB_FREE',
  temperature: 'DCGM_FI_DEV_GPU_TEMP',
  power: 'DCGM_FI_DEV_POWER_USAGE',
  /** Share of time the graphics/compute engine is busy (0–1); reported per MIG instance too. */
  engineActive: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
} as const;

/**
 * dcgm-exporter's labels: the pod holding a GPU (with --kubernetes, via the kubelet's pod-resources API;
 * kept as-is by the ServiceMonitor's honorLabels) and, for MIG, the GPU instance.
 */
export const DCGM_LABELS = {
  pod: 'pod',
  namespace: 'namespace',
  migInstance: 'GPU_I_ID',
  migProfile: 'GPU_I_PROFILE',
} as const;

/** kube-state-metrics series the dashboards and alerts read (HPA replicas, TURN DaemonSet health). */
export const KUBE_STATE = {
  hpaDesiredReplicas: 'kube_horizontalpodautoscaler_status_desired_replicas',
  hpaCurrentReplicas: 'kube_horizontalpodautoscaler_status_current_replicas',
  hpaMinReplicas: 'kube_horizontalpodautoscaler_spec_min_replicas',
  hpaMaxReplicas: 'kube_horizontalpodautoscaler_spec_max_replicas',
  daemonsetDesired: 'kube_daemonset_status_desired_number_scheduled',
  daemonsetReady: 'kube_daemonset_status_number_ready',
  /** Node creation time (Unix seconds); with the Ready condition it gives node provisioning time. */
  nodeCreated: 'kube_node_created',
  nodeCondition: 'kube_node_status_condition',
  nodeTaint: 'kube_node_spec_taint',
} as const;

/**
 * Counters the TURN entrypoint derives from coturn's own log lines, so they exist on every coturn build
 * (Debian's has no exporter); served on TURN_EXPORTER_PORT. See turn/README.md.
 */
export const TURN_RELAY = {
  /** Successful Allocate requests (one per relay candidate a peer gathers). */
  allocationsTotal: 'pixelstream_turn_allocations_total',
  /** Credentials coturn refused; label `reason`: expired | mismatch. */
  authRejectionsTotal: 'pixelstream_turn_auth_rejections_total',
  /** Permissions refused by the relay hardening (peer in a denied range). */
  peerRefusalsTotal: 'pixelstream_turn_peer_refusals_total',
  /** TURN sessions coturn closed (allocation released or timed out). */
  sessionsClosedTotal: 'pixelstream_turn_sessions_closed_total',
  /** 1 while coturn runs and answers STUN on its listener. */
  up: 'pixelstream_turn_up',
} as const;
