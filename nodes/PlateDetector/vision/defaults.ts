// The plate engine's defaults that the node's description shows too, each defined once.

/** Images and video frames over this many pixels are refused: 100 megapixels (a 20000×20000 decompression bomb is 400). */
export const DEFAULT_MAX_MEGAPIXELS = 100;
export const DEFAULT_MAX_PIXELS = DEFAULT_MAX_MEGAPIXELS * 1_000_000;

/** A video or stream that sends no frame for this long is given up on. */
export const DEFAULT_FRAME_TIMEOUT_SECONDS = 15;

/** Chosen by measurement on the eu dev set: 0.4 missed two plates that 0.3 finds; 0.25 found nothing more. */
export const DEFAULT_DETECTOR_THRESHOLD = 0.3;

/** Frames per second read from a video or stream. */
export const DEFAULT_FPS = 5;

/** Plates narrower than this in the original image are ignored. */
export const DEFAULT_MIN_PLATE_WIDTH = 12;
