/**
 * Typed errors of the card protocol. Match on `name`.
 */

/** Bytes that are not a card we accept: malformed, oversize, too many entries, unknown version, non-canonical. */
export class CardEncodingError extends Error {
  override name = 'CardEncodingError'
}

/** The card, or its signed prekey, is not signed by the identity it names, or names another peer than expected. */
export class CardSignatureError extends Error {
  override name = 'CardSignatureError'
}

/** A card older than the DHT accepts (`CARD_MAX_AGE`). */
export class CardExpiredError extends Error {
  override name = 'CardExpiredError'
}

/** No card for the peer anywhere we looked (cache, DHT, the peer itself). */
export class CardNotFoundError extends Error {
  override name = 'CardNotFoundError'
}

/** A publish reached no DHT peer. The card stays current and is retried. */
export class CardPublishError extends Error {
  override name = 'CardPublishError'
}

/** The peer answered on the card protocol with something that is not a `CardResponse`. */
export class CardProtocolError extends Error {
  override name = 'CardProtocolError'
}
