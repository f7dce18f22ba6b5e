// `npm start`: the main job on the bundled default model. Prints its summary, then shows the
// diagram: in VS Code when the `code` command is installed (the extension loaded from this
// folder, the zoo open), otherwise as a standalone HTML page (the same webview bundle) whose path
// is printed, so a newcomer always sees the product.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const model = join(root, 'models', process.env.CNN_LENS_MODEL ?? 'vgg16.json');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(process.execPath, [join(root, 'dist', 'cli.js'), 'summary', model]);

const hasCode = process.env.CNN_LENS_NO_VSCODE !== '1' && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode) {
  spawn('code', [`--extensionDevelopmentPath=${root}`, join(root, 'models'), model], { detached: true, stdio: 'ignore' }).unref();
  console.log(`\nOpened VS Code with CNN Lens loaded from ${root}. In the editor: "CNN Lens: Open Diagram to the Side".`);
} else {
  run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'standalone', 'write-standalone.ts'), model, '--inline', '--no-build']);
  console.log('\nVS Code (`code`) is not on PATH: open the page above in a browser to see the diagram.');
}
