import { analyze, type Analysis } from '../core';
import type { InputShapes } from '../../shared/protocol';

// A diagram panel's own input shapes (the webview's `analyzeAt`): the file's graph analysed again at
// them, nothing written. Held by the panel while it is open, so a reload of the file (or an edit of
// its text) is analysed at them too. Only that panel's report uses them: the status bar and Show Model
// Summary keep the file's own analysis (the store's). A shape the model cannot take (wrong rank, a
// zero) is the analysis's own diagnostic, as on the command line; nothing here judges it.

export class PanelInputShapes {
  private shapes: InputShapes | undefined;
  /** The last re-analysis and the file analysis it was made from, so a resend does not analyse again. */
  private last: { readonly file: Analysis; readonly shown: Analysis } | undefined;

  /** The shapes set, or undefined for the file's own. */
  get current(): InputShapes | undefined {
    return this.shapes;
  }

  /** null: back to the file's own shapes. */
  set(shapes: InputShapes | null): void {
    this.shapes = shapes ?? undefined;
    this.last = undefined;
  }

  /** The analysis the panel shows for the file's: that one itself when no shapes are set. */
  applyTo(file: Analysis): Analysis {
    if (!this.shapes) return file;
    if (this.last?.file !== file) this.last = { file, shown: analyze(file.graph, { inputShape: this.shapes }) };
    return this.last.shown;
  }
}
