"""The grader, one room of its own (docs/grading.md):

- build: turn solutions/ into exercises/ and record the answer keys;
- checks: the self-checks students call, and the judging of an answer against its key;
- kernel: the limited kernel a submission runs in;
- plugin: the pytest plugin that runs submissions under nbval and records results;
- grade: the pipeline `python -m balkan_course.grading SUBMISSIONS --out OUT`;
- report: grades.csv, feedback and the class summary;
- lms_import, gradebook, written_marks, feedback_html, shards, marking_desk: the round trip
  with an LMS, the teacher's written marks, HTML feedback and sharding (docs/gradebook.md).

Nothing is imported here, so that a student's `from balkan_course.grading.checks import check`
stays fast.
"""
