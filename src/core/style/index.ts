// Neural style transfer: perceptual losses, loss networks, and the Fast / Optimise / Train modes.
export * from './losses';
export * from './image-io';
export * from './loss-network';
export * from './transform-net';
export * from './fast';
export * from './optimise';
export * from './train';
export * from './presets';
