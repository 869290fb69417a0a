"""Small helpers shared by the notebooks: load the tables, set up charts, check exercises.

The lessons keep their pandas and Altair code in the open; this package only holds what
every notebook would otherwise repeat.
"""

from balkan_course.data import DATA_DIR, load_table, table_names

__all__ = ["DATA_DIR", "load_table", "table_names"]
