// Neural style transfer: perceptual losses, loss networks, and the Fast and Optimise modes
// (Train mode, the presets and everything that opens files: src/node/style).
export * from './losses';
export * from './image-io';
export * from './loss-network';
export * from './transform-net';
export * from './fast';
export * from './optimise';
