// A one-line progress bar on stderr, only when stderr is a terminal (logs and pipes stay clean).

export interface ProgressBar {
  readonly update: (label: string, fraction: number) => void;
  readonly done: () => void;
}

const WIDTH = 30;

export function progressBar(stream: NodeJS.WriteStream): ProgressBar | undefined {
  if (!stream.isTTY) return undefined;
  return {
    update: (label, fraction) => {
      const filled = Math.round(WIDTH * fraction);
      stream.write(
        `\r${label.padEnd(14).slice(0, 14)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`,
      );
    },
    done: () => {
      stream.write(`\r${' '.repeat(WIDTH + 24)}\r`);
    },
  };
}
