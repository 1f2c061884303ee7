// Loaded as a tiny classic script ahead of the player bundle: opens the signalling socket at once (see
// early-socket.ts).
import { openEarlySocket, signallingUrl } from './early-socket.js';

openEarlySocket(signallingUrl(location));
