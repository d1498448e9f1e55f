/**
 * Protobuf field numbers of the discovery/v1 messages, as upstream's k8s.io/api/discovery/v1 generated.proto
 * numbers them; keys are our definition names and JSON field names. See ProtoFieldTag for the notation.
 */
import type { ProtoTagTable } from '../../../machinery/protobuf/tags.js';

export const protoTags: ProtoTagTable = {
  'io.k8s.api.discovery.v1.EndpointConditions': { ready: 1, serving: 2, terminating: 3 },
  'io.k8s.api.discovery.v1.ForZone': { name: 1 },
  'io.k8s.api.discovery.v1.ForNode': { name: 1 },
  'io.k8s.api.discovery.v1.EndpointHints': { forNodes: 2, forZones: 1 },
  'io.k8s.api.discovery.v1.Endpoint': { addresses: 1, conditions: 2, deprecatedTopology: 5, hints: 8, hostname: 3, nodeName: 6, targetRef: 4, zone: 7 },
  'io.k8s.api.discovery.v1.EndpointPort': { appProtocol: 4, name: 1, port: 3, protocol: 2 },
  'io.k8s.api.discovery.v1.EndpointSlice': { addressType: 4, endpoints: 2, metadata: 1, ports: 3 },
};
