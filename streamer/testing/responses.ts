// The Pixel Streaming `Response` messages a player page receives (a processing function's results arrive
// as them), kept by Epic's frontend's own listener API on the page the tests opened.
import type { Page } from 'playwright-core';

interface ResponsesWindow {
  pixelstream: { stream: { addResponseEventListener(n: string, l: (r: string) => void): void } };
  responses: string[];
}

/** From now on the page keeps every Response message the streamer sends. */
export async function keepResponses(page: Page): Promise<void> {
  await page.waitForFunction(() => 'pixelstream' in window, undefined, { timeout: 15_000 });
  await page.evaluate(() => {
    const w = window as unknown as ResponsesWindow;
    w.responses = [];
    w.pixelstream.stream.addResponseEventListener('test', (r) => w.responses.push(r));
  });
}

/** The first Response kept (see keepResponses), parsed; waits up to `timeoutMs` for it. */
export async function firstResponse(
  page: Page,
  timeoutMs: number,
): Promise<{ type: string; data: Record<string, unknown> }> {
  const responses = await page
    .waitForFunction(
      () => {
        const r = (window as unknown as ResponsesWindow).responses;
        return r.length > 0 ? r : undefined;
      },
      undefined,
      { timeout: timeoutMs },
    )
    .then((h) => h.jsonValue() as Promise<string[]>);
  return JSON.parse(responses[0]!) as { type: string; data: Record<string, unknown> };
}
