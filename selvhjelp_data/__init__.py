"""The ground floor: what every stage agrees on.

The table schemas (`schema`), the crawl record that passes from crawl to transform (`records`),
the rules of identity (`urls`), text (`text`) and dates (`dates`), the output folder's layout
(`layout`), the raw store (`raw_store`) and the settings (`settings`). Nothing here imports a stage.
"""

__version__ = "0.2.0"  # the one version: pyproject.toml, the user agent and every release read it
