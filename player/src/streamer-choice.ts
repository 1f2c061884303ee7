// What the page says when Epic's frontend did not pick a streamer by itself: on a server with several
// streamers and no `?StreamerId=`, or when the wanted streamer is not connected. Epic leaves that choice to
// its UI package, which we do not bundle; without this the page would sit on "Connecting…". Pure.

export interface StreamerChoice {
  /** The notice to show. */
  text: string;
  /** Streamers to offer, each as a link to this page with `?StreamerId=<id>`. */
  ids: string[];
}

/** The notice for one `streamerListMessage`, or undefined when the frontend subscribes on its own. */
export function streamerChoice(
  ids: readonly string[],
  autoSelected: string,
  wanted: string,
): StreamerChoice | undefined {
  if (autoSelected) return undefined;
  if (wanted && !ids.includes(wanted))
    return ids.length === 0
      ? { text: `Stream "${wanted}" is not connected yet; waiting for it…`, ids: [] }
      : { text: `Stream "${wanted}" is not connected. Connected streams:`, ids: [...ids] };
  if (ids.length === 0) return { text: 'No stream is connected yet; waiting for one…', ids: [] };
  return { text: 'Choose a stream:', ids: [...ids] };
}

/** This page's query string with `StreamerId` set to `id` (other parameters kept). */
export function streamerHref(search: string, id: string): string {
  const params = new URLSearchParams(search);
  params.set('StreamerId', id);
  return `?${params.toString()}`;
}
