"""Demo data: `python -m vetq demo` builds fictional schools, experts and one account per role.

Every demo account shares one password, defined here and nowhere else.
"""

DEMO_PASSWORD = "vetq-demo-2016"
