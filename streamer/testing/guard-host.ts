// Test helper process: starts a guarded `sleep` and prints its pid, then idles until killed.
import { spawnGuarded } from '../guarded-child.js';

const child = spawnGuarded('sleep', ['300']);
process.stdout.write(`${JSON.stringify({ msg: 'guarded', pid: child.pid })}\n`);
setInterval(() => undefined, 60_000);
