/** The API's fingerprints and safety numbers are the crypto core's (src/crypto/safety-number.ts). */
export { fingerprint, safetyNumber } from '../crypto/safety-number.js'
