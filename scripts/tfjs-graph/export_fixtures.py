#!/usr/bin/python3
"""TF.js graph-model fixtures (no Python tensorflowjs converter is available): real converter output
from an npm package and MobileNet v1 graphs generated from the zoo, cached under
~/.cache/cnn-lens/tfjs-graph-fixtures/v1/ ($CNN_LENS_TFJS_GRAPH_FIXTURES). The work is done by
export-fixtures.ts (TypeScript, run with tsx); this wrapper is what CI runs for every format.

    /usr/bin/python3 scripts/tfjs-graph/export_fixtures.py [--force]
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

if __name__ == '__main__':
    script = os.path.join(HERE, 'export-fixtures.ts')
    sys.exit(subprocess.call(['npx', '--no-install', 'tsx', script, *sys.argv[1:]], cwd=ROOT))
