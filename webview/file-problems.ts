// What the diagram says instead of a drawing when the file has nothing to draw: a file that is not
// a model, or a model in a format CNN Lens does not read yet. The host's diagnostics already say
// what was recognised, what CNN Lens reads and what to do now; the command in backticks becomes a
// code span that can be selected and copied.
import type { ModelReport } from '../src/core/analysis/report-types';
import { h } from './dom';

/** True when there is nothing to draw and the analysis says why. */
export const hasNothingToDraw = (report: ModelReport): boolean => report.layers.length === 0 && report.diagnostics.some((d) => d.severity === 'error');

/** "… reads ONNX. Convert it: `python -m tf2onnx …`" → text and <code> parts (no innerHTML). */
function withCode(text: string): (Node | string)[] {
  return text.split('`').map((part, i) => (i % 2 ? h('code', { class: 'command', tabindex: 0, title: 'The command to run now (select it to copy)' }, part) : part));
}

/** The message block for the stage: a heading and each error, one paragraph each. */
export function fileProblems(report: ModelReport): HTMLElement {
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  return h('div', { class: 'file-problems', role: 'alert', 'data-testid': 'file-problems' },
    h('h2', {}, `CNN Lens cannot draw ${report.model.name || 'this file'}`),
    // A line per sentence (what it is; what CNN Lens reads; what to do now), the text itself unchanged.
    ...errors.map((d) => h('p', {}, ...d.message.split(/(?<=\.) (?=[A-Z])/).flatMap((sentence, i) => [...(i ? [' ', h('br')] : []), ...withCode(sentence)]))),
  );
}
