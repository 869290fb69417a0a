"""`python -m balkan_course.grading SUBMISSIONS --out OUT`: grade a class."""

import sys

from balkan_course.grading.cli import main

sys.exit(main())
