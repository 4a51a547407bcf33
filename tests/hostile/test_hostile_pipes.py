"""A reader that stops reading (`csei ... | head -1`): the command ends quietly, with no error message."""

import subprocess
import sys

import pytest

COMMAND = [sys.executable, "-c", "from csei_graph.cli import main; main()"]


@pytest.mark.parametrize(
    ("arguments", "codes"), [(["info"], (0, 141)), (["export", "--format", "ntriples"], (141,))]
)
def test_output_read_only_in_part_ends_quietly(arguments: list[str], codes: tuple[int, ...]) -> None:
    # The export writes more than a pipe holds: its writes after the first line find no reader.
    process = subprocess.Popen([*COMMAND, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) in codes
    assert errors == b"", errors.decode(errors="replace")
