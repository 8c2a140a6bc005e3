/**
 * EXPERIMENT for the den bench (`--yamux-lazy-window`): js-yamux 8 sends a
 * WindowUpdate frame back for every data frame it receives (its
 * `sendWindowUpdate` runs after each one and tops the window up as soon as
 * any of it was used). Each of those is a frame of its own: one more Noise
 * encryption and socket write for the receiver and one more decryption for
 * the sender, per gossipsub RPC. This patch makes an established stream top
 * its window up only once less than half of it is left (what go-yamux and
 * rust-yamux do), to measure what that would save. Not for library code.
 */
import { YamuxStream } from '@libp2p/yamux/stream'

interface StreamInternals {
  state: number
  recvWindow: number
  recvWindowCapacity: number
  sendWindowUpdate(): void
}

/** yamux's StreamState.Established */
const ESTABLISHED = 3

export function patchYamuxLazyWindow (): void {
  const proto = YamuxStream.prototype as unknown as StreamInternals
  const original = proto.sendWindowUpdate
  proto.sendWindowUpdate = function (this: StreamInternals) {
    if (this.state === ESTABLISHED && this.recvWindowCapacity * 2 > this.recvWindow) return
    original.call(this)
  }
}
