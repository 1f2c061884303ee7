// One streaming session inside a network namespace of its own, with everything that leaves through the
// namespace's default route captured: run by `egress.e2e.test.ts` as
// `unshare -n -m sh -c '<scripts/netns.mjs setup>; exec node --import tsx egress-session.ts'`, so no other
// test's traffic can mix into the capture. It starts tcpdump on the capture side of the egress veth,
// proves the capture works with one datagram of its own to an off-link address, runs a real sidecar,
// streamer and Chromium session (no ICE server configured), and prints one JSON line: the page's
// first-frame time, the control datagram's `address.port` and every IPv4 packet captured.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { EGRESS } from '../../scripts/netns.mjs';
import { closeAllBrowsers, launchBrowser, newPage, waitForFirstFrame } from '../../test/support/browser.js';
import { startPair } from './stack.js';

/** Where the capture's own control datagram goes: off-link, so only the default route can carry it. */
const CONTROL = { address: '198.51.100.7', port: 9 };

const lines: string[] = [];
const tcpdump = spawn('tcpdump', ['-i', EGRESS.capture, '-n', '-l', 'ip'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
const captured = createInterface({ input: tcpdump.stdout });
captured.on('line', (l) => {
  if (l.trim()) lines.push(l);
});
await new Promise<void>((resolve, reject) => {
  createInterface({ input: tcpdump.stderr }).on('line', (l) => {
    if (l.includes('listening on')) resolve();
  });
  tcpdump.once('exit', (code) => reject(new Error(`tcpdump exited ${String(code)}`)));
});

const control = `${CONTROL.address}.${CONTROL.port}`;
/** True as soon as tcpdump prints a line naming `text`; false when none comes within 5 s. */
const seen = (text: string) =>
  new Promise<boolean>((resolve) => {
    const check = (l: string) => l.includes(text) && done(true);
    const timer = setTimeout(() => done(false), 5_000);
    const done = (found: boolean) => {
      clearTimeout(timer);
      captured.off('line', check);
      resolve(found);
    };
    captured.on('line', check);
  });
const routing = seen(control);
const socket = createSocket('udp4');
socket.send('capture check', CONTROL.port, CONTROL.address);
const routed = await routing;
socket.close();

let firstFrameMs: number | undefined;
const pair = await startPair({ STREAM_CODEC: 'vp8', HW_ENCODER: 'cpu' });
try {
  // The browser stands for a player outside the pod; its own background lookups (update and account
  // services) are answered "not found" without DNS so they stay off the capture. The page is loaded by IP
  // address, and WebRTC's ICE servers are IP literals or configured names either way.
  const browser = await launchBrowser(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
  const { page } = await newPage(browser);
  await page.goto(pair.url);
  firstFrameMs = await waitForFirstFrame(page);
  // A second of streaming after the first frame: consent checks, RTCP, anything periodic.
  await page.waitForTimeout(1_000);
} finally {
  await closeAllBrowsers();
  await pair.stop();
}
tcpdump.kill('SIGINT');
await new Promise((r) => tcpdump.once('exit', r));
process.stdout.write(`${JSON.stringify({ firstFrameMs, routed, control, packets: lines })}\n`);
process.exit(0);
