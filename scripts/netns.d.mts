// Types of netns.mjs, which the test runner (plain Node) and the TypeScript benchmarks share.
export declare const EGRESS: { device: string; capture: string; address: string; gateway: string };
export declare function netnsArgv(kind: 'pod' | 'plain', command: string, args: string[]): string[];
