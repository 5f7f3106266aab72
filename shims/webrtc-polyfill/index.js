// fanout only speaks BitTorrent over TCP. webtorrent imports simple-peer at load time, which imports
// this module; the real package downloads a native WebRTC binary at install time, which cannot work
// offline. Any attempt to actually open a WebRTC connection fails loudly instead of silently.
class WebRtcUnavailable {
  constructor() {
    throw new Error('WebRTC is not available in fanout (webrtc-polyfill is shimmed)')
  }
}
export const RTCPeerConnection = WebRtcUnavailable
export const RTCSessionDescription = WebRtcUnavailable
export const RTCIceCandidate = WebRtcUnavailable
export const RTCIceTransport = WebRtcUnavailable
export const RTCDataChannel = WebRtcUnavailable
export const RTCSctpTransport = WebRtcUnavailable
export const RTCDtlsTransport = WebRtcUnavailable
export const RTCCertificate = WebRtcUnavailable
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate }
