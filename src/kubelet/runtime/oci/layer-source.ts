/**
 * What the oci runtime needs from the image store: the unpacked layers of an
 * image as directories to stack with overlayfs, and the config that says what
 * a container runs by default. The local image service implements it; tests
 * serve a fixture rootfs.
 */
import type { Image } from '../interface.js';

export type ImageRuntimeConfig = NonNullable<Image['config']>;

export interface ImageLayers {
  /** Unpacked layer directories, top-most layer first (the order of overlayfs `lowerdir=`). */
  lowerDirs: string[];
  config: ImageRuntimeConfig;
}

export interface LayerSource {
  /** Rejects when the image is not present locally. */
  layersFor(imageRef: string): Promise<ImageLayers>;
}
