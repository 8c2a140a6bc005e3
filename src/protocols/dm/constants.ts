/** Protocol id, limits and timeouts of the DM protocol, in one place. */

const second = 1000
const minute = 60 * second

export const DM_PROTOCOL = '/agentmsg/dm/1.0.0'
export const DM_FRAME_VERSION = 1

/** `text` bodies: at most this many characters (code points). */
export const MAX_TEXT_CHARS = 4000
/** `markdown` bodies: at most this many characters. */
export const MAX_MARKDOWN_CHARS = 32_000
/** `metadata`: at most this many bytes of JSON. */
export const MAX_METADATA_BYTES = 8 * 1024
/** ids a body carries (taskId, idempotencyKey, skill): at most this many characters. */
export const MAX_ID_LENGTH = 128
export const MAX_URL_LENGTH = 2048
/** message ids one receipt may list */
export const MAX_RECEIPT_IDS = 1000
/** An encoded body must leave room for the envelope around it within MAX_ENVELOPE_BYTES (64 KiB). */
export const MAX_BODY_BYTES = 60 * 1024
/** Bodies are padded to a multiple of this many bytes. */
export const BODY_PADDING_BUCKET = 256

/** Largest frame read from a DM stream: one 64 KiB envelope plus framing. */
export const MAX_FRAME_BYTES = 64 * 1024 + 64
/**
 * Envelopes written but not yet acknowledged on one stream (sender), and
 * envelopes read and not yet acked (receiver). 1,024 keeps a busy receiver fed
 * while it writes what it has to disk: at 256 its pipeline ran dry between
 * group commits (dm bench: ~2,900 msgs/s at 256, ~3,200 at 1,024 on the same
 * host). MAX_IN_FLIGHT_BYTES bounds the memory.
 */
export const MAX_IN_FLIGHT = 1024
/**
 * The envelope bytes in flight on one stream, both ways: the sender writes no
 * envelope past it (except one alone, however large), the receiver reads no
 * frame past it until acks free room. 4 MiB: 1,024 typical envelopes of
 * ~1 KB, or 64 of the largest (MAX_ENVELOPE_BYTES, 64 KiB).
 */
export const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024
/**
 * Bytes a DM stream's reader may hold unread (past it the stream is reset):
 * a whole window of the peer's envelopes with their frame headers (at most 9
 * bytes each; 16 allowed), its acks for a whole window of ours (at most ~220
 * bytes each framed, with a reason of MAX_ACK_REASON_CHARS; 240 allowed), and
 * one frame of slack. The framing module's default (4 MiB) is less than a
 * full window with its headers.
 */
export const READ_OVERHEAD_PER_ENVELOPE = 16 + 240
/** The unread bytes a reader must hold for a peer whose window is `maxInFlight` envelopes of `maxInFlightBytes` in all. */
export function readBufferBytes (maxInFlight: number, maxInFlightBytes: number): number {
  return maxInFlightBytes + maxInFlight * READ_OVERHEAD_PER_ENVELOPE + MAX_FRAME_BYTES
}
export const MAX_READ_BUFFER_BYTES = readBufferBytes(MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES)
/** An ack's reason is cut to this many characters (it names an error; a content policy's name is the agent's own). */
export const MAX_ACK_REASON_CHARS = 64
/** How long to wait for a dial or a new stream. */
export const DIAL_TIMEOUT = 10 * second
/**
 * Envelopes in flight on a stream with no ack for this long: the stream is
 * reset and they go again on a new one (the receiver's replay ids answer a
 * copy it already stored as a duplicate). Only a stalled stream gets here:
 * a busy receiver acks its window in well under a second.
 */
export const ACK_TIMEOUT = 30 * second
/** Retry backoff after a failed delivery attempt: doubles from the first to the last. */
export const RETRY_MIN = 1 * second
export const RETRY_MAX = 5 * minute
