// Text from a model file (layer, model and label names, attribute values) is data, never code:
// before it reaches a terminal, a Markdown renderer (hovers, notifications) or a spreadsheet it goes
// through one of these. One module, so every place that prints a name escapes it the same way.

// C0 and C1 controls, DEL, and the Unicode bidi and line separators that reorder or break lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LAYOUT_KEPT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const visible = (c: string): string => {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
};

/** One line of text with every control character shown, not obeyed: ESC as `\x1b`, a newline as `\n`. */
export const escapeControl = (text: string): string => text.replace(CONTROL, visible);

/** Text of several lines for a terminal: its line breaks and tabs kept, every other control character shown (`\x1b`). */
export const terminalText = (text: string): string => text.replace(LAYOUT_KEPT, visible);

/** A name as a Markdown code span (hovers): nothing inside renders as a link, image or HTML. */
export function markdownCode(text: string): string {
  const flat = escapeControl(text);
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longestRun + 1);
  // A span that begins or ends with a backtick needs a space inside its fence (CommonMark strips one).
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Text inside Markdown (a hover's prose, a table cell, a heading): on one line, the characters that make links, images, HTML, code and table cells backslash-escaped (emphasis is harmless and left). */
export const markdownText = (text: string): string => escapeControl(text).replace(/[\\`[\]!|<>&]/g, (c) => `\\${c}`);

/**
 * A name in a notification (VS Code renders `[text](link)` there, command: links included, and no
 * code spans): on one line, with every `](` broken by a zero-width space so no link forms.
 */
export const notificationText = (text: string): string => escapeControl(text).replace(/\]\s*\(/g, ']\u200b(');

/**
 * A CSV cell (RFC 4180 quoting); text a spreadsheet would run as a formula (it begins with =, +, -,
 * @, a tab or a carriage return) is quoted with a leading apostrophe, so it reads as text.
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return safe !== text || /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
