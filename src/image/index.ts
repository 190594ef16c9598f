// Building and pushing OCI images in Node, without Docker: the gateway image is its base plus one
// layer, assembled through the registry API (the way ko and Jib do it).
export { buildImage, contentTag, type BlobSource, type BuildInputs, type ImageBuild } from './build';
export { writeOciLayout } from './layout';
export { pushImage, type PushResult, type UploadProgress } from './push';
export { RegistryClient, type RegistryCredentials } from './registry-client';
export { parseReference, formatReference, isLoopbackHost, type ImageReference } from './reference';
export { formatPlatform, platformOf, selectPlatform, type Platform } from './platform';
export { MediaType } from './media-types';
