import { SourceError } from '../core/formats/source';
import { ImageError } from '../core/runtime/image';
import { LabelsError } from '../core/runtime/labels';
import { NpyError } from '../core/runtime/npy';
import { WeightsError } from '../core/runtime/weights';
import { ImageError as StyleImageError } from '../core/style/image-io';
import { StyleModelError } from '../core/style/fast';
import { BackendError } from '../node/backend';
import { UsageError } from './usage';

// Which failures are a file's or the caller's (exit 2) rather than the model's or the run's (exit 1).

export const isFileError = (e: unknown): boolean =>
  e instanceof UsageError || e instanceof SourceError || e instanceof WeightsError || e instanceof ImageError || e instanceof StyleImageError || e instanceof NpyError || e instanceof LabelsError || e instanceof BackendError || e instanceof StyleModelError;
