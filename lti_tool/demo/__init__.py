"""A small LMS for trying the tool without one: a course, four people, real LTI 1.3."""
