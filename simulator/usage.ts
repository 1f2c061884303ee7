// What a run bills and how its streams fare: time integrals of the pods holding GPUs, the streaming pods,
// the GPU nodes and the streams' slowdown, advanced before every event.

/** The counts the integrals are taken over, as they stand between two events. */
export interface UsageLevels {
  /** pods holding GPU slots */
  readonly bound: number;
  /** pods streaming */
  readonly streaming: number;
  /** GPU nodes booting or up */
  readonly liveNodes: number;
  /** Σ over streaming pods of their slowdown factor */
  readonly slowSum: number;
}

export class Usage {
  /** ∫ pods holding GPUs dt × GPUs per pod (seconds) */
  gpuSeconds = 0;
  /** ∫ streaming pods dt × GPUs per pod (seconds) */
  busyGpuSeconds = 0;
  /** ∫ GPU nodes dt × GPUs per node (seconds) */
  nodeGpuSeconds = 0;
  /** ∫ GPU nodes dt (seconds) */
  nodeSeconds = 0;
  private slowSeconds = 0;
  private streamSeconds = 0;
  private lastT = 0;

  constructor(
    /** GPUs one pod holds: a share of one when GPUs are shared */
    private readonly gpuShare: number,
    private readonly gpusPerNode: number,
  ) {}

  /** Integrates the levels from the last call up to `t`. */
  advance(t: number, l: UsageLevels): void {
    const dt = t - this.lastT;
    if (dt <= 0) return;
    this.gpuSeconds += l.bound * this.gpuShare * dt;
    this.busyGpuSeconds += l.streaming * this.gpuShare * dt;
    this.nodeGpuSeconds += l.liveNodes * this.gpusPerNode * dt;
    this.nodeSeconds += l.liveNodes * dt;
    this.slowSeconds += l.slowSum * dt;
    this.streamSeconds += l.streaming * dt;
    this.lastT = t;
  }

  /** time-weighted mean slowdown of streaming (1 = as fast as alone on a GPU) */
  get streamSlowdown(): number {
    return this.streamSeconds > 0 ? this.slowSeconds / this.streamSeconds : 1;
  }
}
