// Config values the kit config accepts (the simulator may explore them) but a cluster must not get, and
// values a cluster may get but whose cost the operator should see at every synthesis.
import { UNREAL_IMAGE_NAME, type KitConfig } from '../common/kit-config.js';
import { NGINX_CLASSES } from './ingress.js';

export function manifestProblems(c: KitConfig): string[] {
  const problems: string[] = [];
  if (c.HPA_METRIC === 'available')
    problems.push(
      'HPA_METRIC="available": a free-stream count scales the wrong way as an HPA input (more free streams → more pods); use demand',
    );
  if (c.HPA_MIN_REPLICAS === 0)
    problems.push(
      'HPA_MIN_REPLICAS=0: scaling to zero needs the alpha HPAScaleToZero feature gate; use 1 or more',
    );
  if (
    c.PROCESS_SOURCE !== '' &&
    c.RENDER_POOL_ENABLED &&
    c.ENTRY === 'ingress' &&
    !NGINX_CLASSES.has(c.INGRESS_CLASS)
  )
    problems.push(
      `INGRESS_CLASS=${JSON.stringify(c.INGRESS_CLASS)}: the processing pool's path ${c.PROCESS_PATH} needs a prefix rewrite, which a standard Ingress cannot express; use ENTRY=gateway, an nginx class, or RENDER_POOL_ENABLED=false`,
    );
  if (c.TURN_URLS.length === 0 && c.ICE_TRANSPORT_POLICY === 'relay')
    problems.push('ICE_TRANSPORT_POLICY="relay" needs TURN_URLS: without a relay no player could connect');
  return problems;
}

/** Accepted, but printed by `npm run synth` / kustom.sh on every run. */
export function manifestWarnings(c: KitConfig): string[] {
  const warnings: string[] = [];
  if (!c.STREAMER_TOKEN_REQUIRED)
    warnings.push(
      'STREAMER_TOKEN_REQUIRED=false: the sidecar accepts any process in the pod as its streamer, without a token (for Unreal Engine 4.27, which cannot send one; the streamer port listens on the pod loopback only)',
    );
  const app = c.STREAMER_IMAGE.split('/').pop();
  if (app === UNREAL_IMAGE_NAME && !c.STREAMER_WRITABLE_PATHS.some((p) => /\/Saved$/.test(p)))
    warnings.push(
      `STREAMER_WRITABLE_PATHS=${c.STREAMER_WRITABLE_PATHS.join(',')}: an Unreal app writes logs and settings to <Project>/Saved and ~/.config on a read-only root file system; add them, e.g. /tmp,/home/ue/app/MyProject/Saved,/home/ue/.config`,
    );
  if (c.TURN_NAMESPACE === c.NAMESPACE)
    warnings.push(
      `TURN_NAMESPACE=${c.NAMESPACE} is NAMESPACE: TURN's host networking needs Pod Security privileged there, which then covers the streamers too (keep TURN in its own namespace)`,
    );
  return warnings;
}
