/** The built-in image service and its parts, for the agent, the oci runtime and the CLI. */
export { LocalImageService, ImageNotFoundError, findImage, type LocalImageServiceOptions, type ImageLayers, type GarbageCollectOptions, type GarbageCollectResult } from './image-service.js';
export { importImageArchive, type ImportOptions, type ImportedImage } from './import.js';
export { ImagePullError, RegistryClient, hostPlatform, selectPlatform, type PullFailureReason, type RegistryClientOptions } from './registry-client.js';
export { parseReference, formatReference, familiarName, repositoryName, type ImageReference, type ParseReferenceResult } from './reference.js';
export { loadRegistries, parseRegistries, endpointsFor, isLoopbackHost, type RegistriesConfig, type RegistryEndpoint } from './registries-config.js';
export { credentialsFor, parseDockerConfigJSON, toAuthConfig, type DockerConfig, type DockerConfigEntry } from './docker-config.js';
export { planImageGC, validateGCPolicy, type ImageGCPolicy, type FsUsage } from './gc.js';
export { ContentStore, type StoredImage, type StoredLayer } from './store.js';
export { runImageGC, collectImagesOnce, imagesInUse, defaultImageGCPolicy, IMAGE_GC_PERIOD_MS } from './gc-loop.js';
