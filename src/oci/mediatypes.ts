// Media types and annotation keys the compatibility artifact uses (OCI image-spec 1.1, NFD).

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";

export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST];

export const COMPAT_ARTIFACT_TYPE = "application/vnd.nfd.image-compatibility.v1alpha1";
export const COMPAT_SPEC_LAYER = "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml";

export const ANNOTATION_CREATED = "org.opencontainers.image.created";
export const ANNOTATION_TITLE = "org.opencontainers.image.title";
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";

/** The two bytes `{}`: the standard empty config. */
export const EMPTY_CONFIG = {
  mediaType: OCI_EMPTY,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30=",
} as const;

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

export function isManifestType(mediaType: string | undefined): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

/** Size caps (oras-go uses 4 MiB for manifests, indexes and referrers pages; the spec's is spec/limits.ts). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
