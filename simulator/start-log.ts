// Start-up times as the kit's recording rules see them: mean pod creation → Ready over the pods that became
// Ready in the last 6 h, mean GPU node request → Ready over the nodes Ready in the last day
// (support/capacity-rules.ts). undefined until something started, as the rules fall back then.

const POD_WINDOW_SECONDS = 6 * 3600;
const NODE_WINDOW_SECONDS = 24 * 3600;

class WindowMean {
  private readonly at: number[] = [];
  private readonly value: number[] = [];
  private head = 0;
  private sum = 0;

  constructor(private readonly windowSeconds: number) {}

  add(t: number, v: number): void {
    this.at.push(t);
    this.value.push(v);
    this.sum += v;
  }

  mean(now: number): number | undefined {
    while (this.head < this.at.length && this.at[this.head]! < now - this.windowSeconds) {
      this.sum -= this.value[this.head]!;
      this.head++;
    }
    const n = this.at.length - this.head;
    return n > 0 ? this.sum / n : undefined;
  }
}

export class StartLog {
  private readonly pods = new WindowMean(POD_WINDOW_SECONDS);
  private readonly nodes = new WindowMean(NODE_WINDOW_SECONDS);
  pod(t: number, seconds: number): void {
    this.pods.add(t, seconds);
  }
  node(t: number, seconds: number): void {
    this.nodes.add(t, seconds);
  }
  podMean(now: number): number | undefined {
    return this.pods.mean(now);
  }
  nodeMean(now: number): number | undefined {
    return this.nodes.mean(now);
  }
}
