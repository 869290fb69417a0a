"""The grader, one room of its own, in layers (docs/grading.md, "Architecture"), from the top:

- cli: the command `python -m balkan_course.grading SUBMISSIONS --out OUT`;
- grade, shards: the pipeline, and a class graded in parts on several machines;
- report, written_marks, feedback_html, gradebook, lms_import, marking_desk: what the teacher
  reads, the round trip with an LMS, written marks and HTML feedback (docs/gradebook.md);
- submissions, sandbox, runner, answers, kernel: what students handed in, and the limited
  (where the machine allows, sandboxed) kernels and workers that run it and judge the values;
- versions, build, instructor, variants, release: the solutions turned into exercises, keys,
  per-student versions and a class's folders;
- checks: the self-checks students call (`check`, `show_progress`), on top of the judging:
  budget, canonical, keys, hints, judge, hidden_data, recording.

Nothing is imported here, so that a student's `from balkan_course.grading.checks import check`
stays fast.

One line runs here, before any module of the grader (cli, grade, runner, the pytest plugin, which
pyproject's addopts load before the other plugins) can import nbformat: nbformat's jsonschema
would otherwise build an RFC 3987 grammar (about 1 s in every such process) that only checks
"iri" formats, which nothing in the course uses. (kernel.py, started as a script, says it again.)
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
