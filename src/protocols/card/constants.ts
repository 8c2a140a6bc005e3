/**
 * Protocol ids, DHT keys, limits and timings of agent cards (DESIGN §4).
 */
const second = 1000
const minute = 60 * second
const hour = 60 * minute
const KiB = 1024

/** served to connected peers: one `CardResponse` frame per stream */
export const CARD_PROTOCOL = '/agentmsg/card/1.0.0'

/** kad-dht picks validators and selectors by the first key component: this one */
export const DHT_NAMESPACE = 'agentmsg'

/** DHT key = utf8(CARD_KEY_PREFIX) || peer id bytes */
export const CARD_KEY_PREFIX = `/${DHT_NAMESPACE}/card/`

/** the `version` this code writes and the only one it reads */
export const CARD_VERSION = 1

/** domain separation for the card signature */
export const CARD_SIGNATURE_LABEL = 'agentmsg/v1/card'

/** an encoded card, signature included */
export const MAX_CARD_BYTES = 16 * KiB

/** a `CardResponse` frame: the card plus version, one-time prekey and field headers */
export const MAX_CARD_RESPONSE_BYTES = MAX_CARD_BYTES + 128

/** repeated-field limits applied while decoding, before anything grows */
export const CARD_DECODE_LIMITS = {
  relays: 8,
  relays$: { addrs: 8 },
  credentials: 16,
  skills: 32,
  skills$: { tags: 16, examples: 16, inputModes: 16, outputModes: 16 }
}

/** a cached card younger than this is returned without asking the network */
export const CARD_CACHE_TTL = 10 * minute

/** cards kept in memory; the oldest is forgotten first */
export const CARD_CACHE_SIZE = 1024

/**
 * Our card is put in the DHT again this often. Well inside kad-dht's 48 h
 * record validity and `CARD_MAX_AGE`, so a missed round does no harm.
 */
export const CARD_REPUBLISH_INTERVAL = 12 * hour

/** after a failed publish, try again this soon (doubling up to the republish interval) */
export const CARD_PUBLISH_RETRY = 30 * second

/**
 * The DHT validator refuses cards issued longer ago than this. A node
 * re-signs its card on every republish, so only a replay of a card from the
 * last two days can displace a newer one on a DHT server.
 */
export const CARD_MAX_AGE = 48 * hour
/** How far ahead of our clock a card's issuedAt may be. */
export const CARD_MAX_CLOCK_SKEW = 10 * minute

/** timeouts for each network call */
export const CARD_FETCH_TIMEOUT = 10 * second
export const CARD_DHT_GET_TIMEOUT = 30 * second
export const CARD_DHT_PUT_TIMEOUT = 60 * second
export const CARD_FIND_PEER_TIMEOUT = 30 * second
export const CARD_HANDLER_TIMEOUT = 10 * second

export const CARD_MAX_INBOUND_STREAMS = 8
export const CARD_MAX_OUTBOUND_STREAMS = 8
