// Style transfer for hosts with files (the extension host, the CLI): core's style modules plus the
// parts that read and write files.
export * from '../../core/style';
export * from '../image-files';
export * from './loss-network-files';
export * from './model-files';
export * from './presets';
export * from './train';
export * from './fast-backend';
