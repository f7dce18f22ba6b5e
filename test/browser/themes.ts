// The browser tests' themes, derived when the tests run from media/standalone-theme.css (the one
// copy of VS Code's theme variables): light, dark (the media-query block applied unconditionally)
// and a high-contrast theme.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const src = readFileSync(join(__dirname, '../../media/standalone-theme.css'), 'utf8');
const [lightPart] = src.split('@media');
const base = /:root \{([^]*?)\n\}/.exec(lightPart)![1];
const dark = /@media \(prefers-color-scheme: dark\) \{\s*:root \{([^]*?)\n {2}\}\n\}/.exec(src)![1].replace(/\n {4}/g, '\n  ');
const hc: Record<string, string> = {
  'editor-background': '#000000', foreground: '#ffffff', descriptionForeground: 'rgba(255, 255, 255, 0.7)', focusBorder: '#f38518',
  contrastBorder: '#6fc3df', 'panel-border': '#6fc3df', 'widget-border': '#6fc3df', 'sideBar-background': '#000000',
  'charts-foreground': '#ffffff', 'charts-lines': 'rgba(255, 255, 255, 0.5)', 'charts-blue': '#3794ff', 'charts-green': '#89d185',
  'charts-yellow': '#ffd700', 'charts-orange': '#d18616', 'charts-red': '#f14c4c', 'charts-purple': '#b180d7',
  'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df', 'button-secondaryBackground': '#000000',
  'button-secondaryForeground': '#ffffff', 'input-background': '#000000', 'input-border': '#6fc3df', 'input-foreground': '#ffffff',
  'settings-textInputBackground': '#000000', 'settings-textInputForeground': '#ffffff', 'settings-textInputBorder': '#6fc3df',
  'settings-dropdownBackground': '#000000', 'settings-dropdownForeground': '#ffffff', 'settings-dropdownBorder': '#6fc3df',
  'settings-checkboxBackground': '#000000', 'settings-checkboxBorder': '#6fc3df', 'settings-checkboxForeground': '#ffffff',
  'list-activeSelectionBackground': '#000000', 'list-activeSelectionForeground': '#ffffff', 'list-hoverBackground': '#000000',
  'badge-background': '#000000', 'badge-foreground': '#ffffff', 'editorHoverWidget-foreground': '#ffffff', 'editorHoverWidget-background': '#0c141f', 'dropdown-foreground': '#ffffff', 'checkbox-foreground': '#ffffff', 'input-placeholderForeground': 'rgba(255, 255, 255, 0.6)', 'editorHoverWidget-border': '#6fc3df',
  'textLink-foreground': '#21a6ff', 'editor-findMatchBorder': '#f38518',
};
const root = (vars: string): string => `:root {${base}\n${vars}\n}\n`;

export const THEME_CSS = {
  light: root(''),
  dark: root(dark),
  'high-contrast': root(`${Object.entries(hc).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n')}\n  color-scheme: dark;`),
} as const;
