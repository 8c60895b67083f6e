#!/usr/bin/env python3
"""The system-test harness's exit status, as meson reads it: a script
whose every test is skipped exits 77 ("skipped"), not 0 ("passed"); one
with a failure exits 1.  Runs small scripts through sluicetest.main()."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import sluicetest as st

HERE = os.path.dirname(os.path.abspath(__file__))

SCRIPTS = {
    'all_skipped': '''
        class T(unittest.TestCase):
            def test_a(self):
                raise unittest.SkipTest('no net_tap here')

            @unittest.skip('not today')
            def test_b(self):
                pass
    ''',
    'some_skipped': '''
        class T(unittest.TestCase):
            def test_a(self):
                raise unittest.SkipTest('no net_tap here')

            def test_b(self):
                pass
    ''',
    'skipped_and_failed': '''
        class T(unittest.TestCase):
            def test_a(self):
                raise unittest.SkipTest('no net_tap here')

            def test_b(self):
                self.fail('broken')
    ''',
}


def run_script(body):
    with tempfile.NamedTemporaryFile('w', suffix='.py', delete=False) as f:
        f.write('import unittest\nimport sluicetest as st\n')
        f.write(textwrap.dedent(body))
        f.write('\nif __name__ == "__main__":\n    st.main()\n')
        path = f.name
    try:
        env = dict(os.environ, PYTHONPATH=HERE)
        return subprocess.run([sys.executable, path], env=env,
                              capture_output=True, text=True,
                              timeout=60).returncode
    finally:
        os.unlink(path)


class HarnessTest(unittest.TestCase):
    def test_all_skipped_is_77(self):
        self.assertEqual(run_script(SCRIPTS['all_skipped']), 77)

    def test_some_skipped_passes(self):
        self.assertEqual(run_script(SCRIPTS['some_skipped']), 0)

    def test_failure_wins(self):
        self.assertEqual(run_script(SCRIPTS['skipped_and_failed']), 1)


if __name__ == '__main__':
    st.main()
