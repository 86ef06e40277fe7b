"""Settings, declared once: the environment (12-factor) and the TOML file it names.

Below the command line and the dashboard, both of which start processes from them; nothing here
opens a database or a connection.
"""
