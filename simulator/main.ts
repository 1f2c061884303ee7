// `npm run simulate`: arguments → run → table on stdout, report path and problems on stderr.
// Exit codes: 0 done, 2 bad arguments/config/trace/policy (with every problem listed).
import { ConfigError } from '../common/env-config.js';
import { parseCli, USAGE } from './cli.js';
import { SimError, SimInputErrors } from './errors.js';
import { progressBar } from './progress.js';
import { run } from './run.js';

try {
  const options = parseCli(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
  } else {
    const bar = progressBar(process.stderr);
    const out = run(options, {
      cwd: process.cwd(),
      env: process.env,
      ...(bar ? { progress: bar.update } : {}),
    });
    bar?.done();
    process.stdout.write(`${out.table}\n\nreport: ${out.htmlPath}\n`);
    if (out.applied) process.stdout.write(`applied to ${options.env}: ${JSON.stringify(out.applied)}\n`);
  }
} catch (err) {
  if (err instanceof SimInputErrors) {
    for (const e of err.errors) process.stderr.write(`simulate: ${e.code}: ${e.message}\n`);
    process.exit(2);
  }
  if (err instanceof SimError || err instanceof ConfigError) {
    process.stderr.write(`simulate: ${err.code}: ${err.message}\n`);
    if (err instanceof SimError && err.code === 'SIM_USAGE') process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  throw err;
}
