// What a processing session tells its player over the data channel, as Pixel Streaming `Response`
// messages (Epic's frontend hands them to `addResponseEventListener` listeners): each result of the
// function, and why the session ended just before the player is disconnected. Pure.
import { encodeStringMessage, FROM_STREAMER } from '../input-protocol.js';

/** `{"type":"processing.result","data":{…}}` */
export function resultMessage(data: Record<string, unknown>): Buffer {
  return encodeStringMessage(FROM_STREAMER.Response, JSON.stringify({ type: 'processing.result', data }));
}

/** `{"type":"processing.ended","code":"FUNCTION_CRASHED","reason":"…"}` */
export function endedMessage(code: string, reason: string): Buffer {
  return encodeStringMessage(
    FROM_STREAMER.Response,
    JSON.stringify({ type: 'processing.ended', code, reason }),
  );
}
