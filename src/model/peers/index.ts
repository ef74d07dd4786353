export { buildMobileNetV2Spec, MOBILENETV2_STAGES } from './mobilenetv2.ts';
export { buildMobileNetV3LargeSpec, MOBILENETV3_LARGE_BLOCKS } from './mobilenetv3.ts';
export { PeerNetwork } from './network.ts';
export { peerMultiplyAdds, peerParameters, type PeerNetworkSpec, type InvertedResidualSpec, type PeerActivation } from './spec.ts';
